namespace Alerts.GrainInterfaces;

/// <summary>The silo's half of the push hub (same grain, key 0): cases hand it durable batches; erasure reaches it.</summary>
[Alias("alerts.push-outbox")]
[SiloOnly]
public interface IPushOutboxGrain : IGrainWithIntegerKey
{
    /// <summary>New durable batches to deliver, in order.</summary>
    [Alias("Enqueue")]
    Task Enqueue(List<PushBatch> batches);

    /// <summary>
    /// Withdraws a case's batches that no gateway holds (a cancelled case: a false alarm must not reach one more phone).
    /// The users of its withdrawn alert batches are no longer recorded as reached; returns how many they were.
    /// </summary>
    [Alias("Withdraw")]
    Task<int> Withdraw(string caseId);

    /// <summary>Removes a user from batches not yet acknowledged.</summary>
    [Alias("EraseUser")]
    Task EraseUser(long userId);
}
