using System.Threading.Channels;
using Alerts.GrainInterfaces;

namespace Alerts.Client;

/// <summary>
/// The observer the push hub calls: it only queues the batch. Deliver is one-way and runs on the
/// client's message path, so the app's delivery (network calls to phones) must never run inside it.
/// </summary>
internal sealed class PushReceiver(ChannelWriter<PushBatch> arrivals) : IPushGateway
{
    /// <summary>Queues the batch for the delivery loop.</summary>
    public Task Deliver(PushBatch batch)
    {
        // After disposal the writer is complete and TryWrite refuses: the batch is then simply not
        // acknowledged, and the hub gives it to another gateway when this one's lease lapses.
        if (batch is not null) arrivals.TryWrite(batch);
        return Task.CompletedTask;
    }
}
