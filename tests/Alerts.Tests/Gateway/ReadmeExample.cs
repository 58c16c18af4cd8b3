using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>The README's "Mobile-gateway library" example, compiled with the tests so it cannot rot (keep the two the same).</summary>
public static class ReadmeExample
{
    /// <summary>A gateway's main loop in miniature.</summary>
    public static async Task RunAsync(Func<long, AlertPayload, CancellationToken, Task> pushToPhone, IReadOnlyList<LocationUpdate> fixesFromTheApp, CancellationToken stopping)
    {
        await using var gateway = await GatewayConnection.ConnectAsync(
            new GatewayConnectionOptions
            {
                Cluster = { Gateways = ["10.0.0.5:30000"], Credential = $"gateway-1:{Environment.GetEnvironmentVariable("GATEWAY_SECRET")}" },
                Name = "gateway-1/replica-a",            // the credential's name, or it + "/instance": one name per gateway process
            },
            async (batch, cancellationToken) =>
            {
                // Completing acknowledges the batch; throwing leaves it to the hub's resend.
                foreach (var userId in batch.UserIds) await pushToPhone(userId, batch.Payload, cancellationToken);
            },
            stopping);
        gateway.StateChanged += state => Console.WriteLine($"alerts connection: {state}");

        var result = await gateway.ReportAsync(fixesFromTheApp, stopping);   // any number; split into calls of 10,000
        foreach (var rejected in result.Rejections)
            Console.WriteLine($"fix #{rejected.Index} of user {rejected.UserId}: {rejected.Field} {rejected.Reason}");

        await gateway.SetOptOutAsync(42, optedOut: true, stopping);
        Console.WriteLine(gateway.Counters);
    }
}
