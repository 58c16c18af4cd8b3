namespace Alerts.GrainInterfaces;

/// <summary>The silo's half of the push hub (same grain, key 0): cases hand it durable batches; erasure reaches it.</summary>
[Alias("alerts.push-outbox")]
[SiloOnly]
public interface IPushOutboxGrain : IGrainWithIntegerKey
{
    /// <summary>New durable batches to deliver, in order.</summary>
    [Alias("Enqueue")]
    Task Enqueue(List<PushBatch> batches);

    /// <summary>Removes a user from batches not yet acknowledged.</summary>
    [Alias("EraseUser")]
    Task EraseUser(long userId);
}
