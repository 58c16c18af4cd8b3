using System.Threading.Channels;
using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>
/// The gateway's delivery queue driven directly, with an acknowledgement that fails on cue (a real silo cannot be made
/// to fail one deterministically) and a manual clock for the retries' backoff.
/// </summary>
public sealed class PushDeliveriesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_failed_acknowledgement_is_sent_again_after_a_doubling_backoff_and_counted_once()
    {
        var clock = new WatchedClock();
        var hub = new FailingHub(failures: 2);
        var deliveries = new PushDeliveries((batch, cancellationToken) => Task.CompletedTask, hub.Acknowledge, rememberedBatchIds: 100, maxConcurrentDeliveries: 1, clock);
        deliveries.Start();

        await deliveries.Receiver.Deliver(Batch(1));
        Assert.Equal([1L], await hub.NextCallAsync());
        Assert.Equal(PushDeliveries.FirstAckRetryDelay, await clock.NextTimerAsync());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([1L], await hub.NextCallAsync());
        Assert.Equal(TimeSpan.FromSeconds(2), await clock.NextTimerAsync());
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([1L], await hub.NextCallAsync());
        await deliveries.StopAsync(TimeSpan.Zero, Patience);

        Assert.Equal(1, deliveries.Acknowledged);
        Assert.Equal(1, deliveries.BatchesDelivered);
        Assert.Equal(3, hub.Calls);
    }

    [Fact]
    public async Task A_failing_acknowledgement_is_tried_once_more_at_stop_and_then_given_up()
    {
        var clock = new WatchedClock();
        var hub = new FailingHub(failures: int.MaxValue);
        var deliveries = new PushDeliveries((batch, cancellationToken) => Task.CompletedTask, hub.Acknowledge, rememberedBatchIds: 100, maxConcurrentDeliveries: 1, clock);
        deliveries.Start();

        await deliveries.Receiver.Deliver(Batch(1));
        Assert.Equal([1L], await hub.NextCallAsync());
        await clock.NextTimerAsync();
        // Stopping cuts the backoff short: one last try, then nothing (the clock never moves, so no timer could fire).
        await deliveries.StopAsync(TimeSpan.Zero, Patience).WaitAsync(Patience);

        Assert.Equal([1L], await hub.NextCallAsync());
        Assert.Equal(2, hub.Calls);
        Assert.Equal(0, deliveries.Acknowledged);
    }

    [Fact]
    public async Task A_retry_whose_batch_the_hub_resent_and_got_acknowledged_meanwhile_is_neither_sent_nor_counted_again()
    {
        var clock = new WatchedClock();
        var hub = new FailingHub(failures: 1);
        var deliveries = new PushDeliveries((batch, cancellationToken) => Task.CompletedTask, hub.Acknowledge, rememberedBatchIds: 100, maxConcurrentDeliveries: 1, clock);
        deliveries.Start();

        await deliveries.Receiver.Deliver(Batch(1));
        Assert.Equal([1L], await hub.NextCallAsync());
        await clock.NextTimerAsync();
        // The hub's silo came back and resent the batch: delivered already, so only acknowledged, and taken.
        await deliveries.Receiver.Deliver(Batch(1));
        Assert.Equal([1L], await hub.NextCallAsync());
        await Eventually.UntilAsync(() => Task.FromResult(deliveries.Acknowledged == 1), Patience, () => "the resend's acknowledgement to be counted");
        // The retry's backoff ends: nothing is left for it.
        clock.Advance(PushDeliveries.FirstAckRetryDelay);
        await deliveries.StopAsync(TimeSpan.Zero, Patience).WaitAsync(Patience);

        Assert.Equal(2, hub.Calls);
        Assert.Equal(1, deliveries.Acknowledged);
        Assert.Equal(1, deliveries.BatchesDelivered);
    }

    private static PushBatch Batch(long id) => new(id, "case-1", [10, 11], new AlertPayload("case-1", "Missing child", "https://alerts.example/c/1"));

    /// <summary>The hub's Acknowledge: fails the first <c>failures</c> calls, then takes them; every call is recorded.</summary>
    private sealed class FailingHub(int failures)
    {
        private readonly Channel<List<long>> _calls = Channel.CreateUnbounded<List<long>>();
        private int _failuresLeft = failures;
        private int _callCount;

        public int Calls => Volatile.Read(ref _callCount);

        public Task Acknowledge(List<long> ids)
        {
            Interlocked.Increment(ref _callCount);
            _calls.Writer.TryWrite(ids.ToList());
            return Interlocked.Decrement(ref _failuresLeft) >= 0 ? Task.FromException(new TimeoutException("the hub's silo is gone")) : Task.CompletedTask;
        }

        /// <summary>The ids of the next call, in order.</summary>
        public async Task<List<long>> NextCallAsync() => await _calls.Reader.ReadAsync().AsTask().WaitAsync(Patience);
    }
}
