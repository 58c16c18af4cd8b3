namespace Alerts.GrainInterfaces;

/// <summary>The mobile gateway's entry point for locations and privacy requests (a stateless worker: call any key).</summary>
[Alias("alerts.residency")]
[RequiresRole(Roles.Gateway)]
public interface IResidencyGrain : IGrainWithIntegerKey
{
    /// <summary>Applies up to 10,000 updates; invalid ones are rejected one by one, the rest applied and written before it returns.</summary>
    [Alias("Report")]
    Task<IngestResult> Report(List<LocationUpdate> updates);

    /// <summary>Stops (true) or resumes (false) alerts for a user; durable when the call returns.</summary>
    [RequiresRole(Roles.Gateway, Roles.Admin)]
    [Alias("SetOptOut")]
    Task SetOptOut(long userId, bool optedOut);

    /// <summary>Enrolls (true) or withdraws (false) a user as a tester: drills reach testers only.</summary>
    [RequiresRole(Roles.Gateway, Roles.Admin)]
    [Alias("SetTester")]
    Task SetTester(long userId, bool tester);

    /// <summary>Deletes every row about a user.</summary>
    [RequiresRole(Roles.Gateway, Roles.Admin)]
    [Alias("Erase")]
    Task Erase(long userId);

    /// <summary>
    /// After an incident: waits for the blocks that failed to answer to say which users they hold and makes the removals
    /// owed, in every directory shard (shards do this on their own every DispatchRetryDelay); returns what is still left.
    /// While a block's silo hangs, its calls end only with their own timeouts: this call is allowed for two rounds of them.
    /// </summary>
    [RequiresRole(Roles.Operator, Roles.Admin)]
    [ResponseTimeout("00:05:00")]
    [Alias("Settle")]
    Task<UnsettledResidency> Settle();
}
