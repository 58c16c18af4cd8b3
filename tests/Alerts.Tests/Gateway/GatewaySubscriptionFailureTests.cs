using Alerts.Client;

namespace Alerts.Tests;

/// <summary>
/// How a gateway connection tells failures of its subscription from its own disposal and its caller's cancellation,
/// against a real embedded silo process (a call filter in the connection's client fails the subscription on cue).
/// </summary>
public sealed class GatewaySubscriptionFailureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_ObjectDisposedException_not_from_the_connections_disposal_is_a_failed_renewal_and_it_subscribes_again()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        var calls = new SubscribeCalls();
        await using var gateway = await GatewayConnection.ConnectAsync(silo.Gateway("gw-disposed-part"), new GatewayApp().Deliver, builder => builder.AddOutgoingGrainCallFilter(calls), CancellationToken.None);
        var states = new StateLog(gateway);
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.SubscriptionFailed += e => failed.TrySetResult(e);

        // The next renewal goes through a part of the host's that was disposed; the connection itself was not. Until
        // 2026-12-02 that was taken for the connection's own disposal: no SubscriptionFailed, no Reconnecting, and no retry
        // before the next renewal.
        calls.FailNext(new ObjectDisposedException("a pooled channel of the host's"));
        var failure = await failed.Task.WaitAsync(Patience);
        Assert.IsType<ObjectDisposedException>(failure);
        Assert.Contains("a pooled channel of the host's", failure.Message);
        await states.WaitFor(GatewayState.Reconnecting, 0, Patience);
        await states.WaitFor(GatewayState.Connected, states.States.IndexOf(GatewayState.Reconnecting), Patience);
        Assert.Equal(1, gateway.Counters.Resubscriptions);
    }

    [Fact]
    public async Task A_first_subscription_cancelled_by_the_callers_token_is_a_cancellation_and_by_anything_else_a_failure_naming_the_gateway()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        var calls = new SubscribeCalls();
        var app = new GatewayApp();

        // The caller gives up while the first subscription is on its way: its own cancellation, as it is.
        using (var caller = new CancellationTokenSource())
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var held = calls.HoldNext(release.Task);
            var connecting = GatewayConnection.ConnectAsync(silo.Gateway("gw-given-up"), app.Deliver, builder => builder.AddOutgoingGrainCallFilter(calls), caller.Token);
            await held.WaitAsync(Patience);
            await caller.CancelAsync();
            release.SetResult();
            var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting);
            Assert.Equal(caller.Token, cancelled.CancellationToken);
        }

        // The host's client gives up on it (a filter with a deadline of its own): the caller's token is not cancelled, so
        // an OperationCanceledException would read as the caller's own (until 2026-12-02 it came as one).
        calls.CancelNext();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            GatewayConnection.ConnectAsync(silo.Gateway("gw-cut"), app.Deliver, builder => builder.AddOutgoingGrainCallFilter(calls), CancellationToken.None));
        Assert.Contains($"the first subscription of gateway \"{ProcessSettings.GatewayName("gw-cut")}\" at the push hub did not complete", failure.Message);
        Assert.IsAssignableFrom<OperationCanceledException>(failure.InnerException);
    }
}
