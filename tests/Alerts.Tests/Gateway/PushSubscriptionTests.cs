using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary><see cref="PushSubscription"/> against a real embedded silo process: renewals go on through a faulty failure handler.</summary>
public sealed class PushSubscriptionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_renewal_failed_handler_that_throws_does_not_stop_the_renewals()
    {
        var silo = GatewaySilo.Fresh();
        silo.Settings["Alerts:Security:Clients:2:Name"] = "ops";
        silo.Settings["Alerts:Security:Clients:2:SecretHash"] = ProcessSettings.TesterHash;
        silo.Settings["Alerts:Security:Clients:2:Roles:0"] = Roles.Operator;
        await using var process = await silo.StartAsync();
        await using var ops = await ProcessSettings.ConnectAsync(silo.ClusterId, silo.GatewayPort, $"ops:{ProcessSettings.Secret}");
        var credentials = ops.GetGrain<IClientCredentialsGrain>(0);
        var issued = await credentials.Create("gw-renewing", [Roles.Gateway]);
        await using var client = await ProcessSettings.ConnectAsync(silo.ClusterId, silo.GatewayPort, issued.Credential);
        await using var subscription = await PushSubscription.StartAsync(client.Cluster, "gw-renewing", new RemoteGateway(client.Cluster));
        var failures = 0;
        var second = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription.RenewalFailed += e =>
        {
            if (Interlocked.Increment(ref failures) == 1) throw new InvalidOperationException("a faulty handler");
            second.TrySetResult(e);
        };

        // Revoked, the credential's token is refused from the silo's next call on: every renewal (every second
        // under the tests' 3 s lease) fails, deterministically, while the silo stays up.
        await credentials.Revoke("gw-renewing");
        var failure = await second.Task.WaitAsync(Patience);

        // The first renewal is refused for its token ("credential gw-renewing was revoked"); the client then drops it, so
        // later renewals fail at the new sign-in, refused as for a wrong secret (sign-in never says a name was revoked).
        var refused = Assert.IsAssignableFrom<AccessDeniedException>(failure);
        Assert.True(refused.Message.Contains("credential gw-renewing was revoked", StringComparison.Ordinal) || refused.Message.Contains("unknown client name or wrong secret", StringComparison.Ordinal), refused.Message);
    }

    [Fact]
    public async Task Disposing_twice_or_from_two_places_at_once_returns_quietly()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        await using var client = await ProcessSettings.ConnectAsync(silo.ClusterId, silo.GatewayPort);
        var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-twice"), new RemoteGateway(client.Cluster));

        // A host's stopping hook and an `await using`, say.
        await Task.WhenAll(subscription.DisposeAsync().AsTask(), subscription.DisposeAsync().AsTask());
        await subscription.DisposeAsync();
    }
}
