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
}
