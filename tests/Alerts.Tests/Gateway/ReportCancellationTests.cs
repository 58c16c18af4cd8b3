using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// A report its caller cancels is an <see cref="OperationCanceledException"/> that says how far it got; an exception
/// that only looks like a cancellation (not the caller's token) is a failure like any other.
/// </summary>
public sealed class ReportCancellationTests
{
    private static readonly List<int> Items = Enumerable.Range(0, 250).ToList();

    [Fact]
    public async Task Cancelled_between_parts_it_names_the_parts_that_were_answered()
    {
        using var cancel = new CancellationTokenSource();
        var sent = new List<int>();
        var cancelled = await Assert.ThrowsAsync<ReportCanceledException<int>>(() => ReportParts.ForEachAsync(Items, 100, (part, start) =>
        {
            sent.Add(start);
            // The caller cancels once the second part is answered.
            if (start == 100) cancel.Cancel();
            return Task.CompletedTask;
        }, () => sent.Count, cancel.Token));

        Assert.Equal([0, 100], sent);
        Assert.Equal((200, 250, 2), (cancelled.Reported, cancelled.Total, cancelled.Answered));
        Assert.Equal(cancel.Token, cancelled.CancellationToken);
        Assert.StartsWith("the report was cancelled after 200 of its 250 items were taken (send it again from index 200)", cancelled.Message);
    }

    [Fact]
    public async Task Cancelled_while_a_part_waits_it_counts_only_the_parts_before_it()
    {
        using var cancel = new CancellationTokenSource();
        var answered = 0;
        var cancelled = await Assert.ThrowsAsync<ReportCanceledException<int>>(() => ReportParts.ForEachAsync(Items, 100, async (_, start) =>
        {
            if (start == 200)
            {
                cancel.Cancel();
                await Task.Delay(Timeout.Infinite, cancel.Token);
            }

            answered++;
        }, () => answered, cancel.Token));

        Assert.Equal((200, 2), (cancelled.Reported, cancelled.Answered));
        Assert.IsAssignableFrom<OperationCanceledException>(cancelled);
    }

    [Fact]
    public async Task A_cancellation_that_is_not_the_callers_is_a_failure_after_the_first_part()
    {
        var answered = 0;
        var interrupted = await Assert.ThrowsAsync<ReportInterruptedException<int>>(() => ReportParts.ForEachAsync(Items, 100, (_, start) =>
        {
            // A call the cluster gave up on (not the report's token).
            if (start == 100) throw new TaskCanceledException("the call was cancelled in the cluster");
            answered++;
            return Task.CompletedTask;
        }, () => answered, CancellationToken.None));

        Assert.Equal((100, 1), (interrupted.Reported, interrupted.Answered));
        Assert.IsType<TaskCanceledException>(interrupted.InnerException);
    }

    [Fact]
    public async Task A_report_through_the_gateway_library_cancelled_before_it_starts_took_nothing()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await using var gateway = await GatewayConnection.ConnectAsync(new GatewayConnectionOptions
        {
            Name = ProcessSettings.GatewayName("gw-cancel"),
            Cluster = new AlertsClientOptions { ClusterId = silo.Cluster.ClusterId, Gateways = [$"127.0.0.1:{silo.Cluster.GatewayPort}"], Credential = ProcessSettings.Credential },
        }, (_, _) => Task.CompletedTask);
        var updates = Enumerable.Range(1, 10).Select(i => new LocationUpdate(i, 22.5, 114.0, AlertsSilo.Epoch)).ToList();

        var cancelled = await Assert.ThrowsAsync<ReportCanceledException<IngestResult>>(() => gateway.ReportAsync(updates, new CancellationToken(canceled: true)));
        Assert.Equal((0, 10, 0), (cancelled.Reported, cancelled.Total, cancelled.Answered.Applied));
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM residents"));
    }
}
