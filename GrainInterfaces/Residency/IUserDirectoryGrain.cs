namespace Alerts.GrainInterfaces;

/// <summary>A shard of the user directory (key = user id mod shard count): each user's current cell and last fix.</summary>
[Alias("alerts.user-directory")]
[SiloOnly]
public interface IUserDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Applies valid updates of users in this shard; returns (applied, ignored) and the writers that hold the applied
    /// positions. The list is passed without a copy: the caller must not change it after the call.
    /// </summary>
    [Alias("Apply")]
    Task<ShardResult> Apply([Immutable] List<LocationUpdate> updates);

    /// <summary>Records a user's opt-out durably and tells their cell.</summary>
    [Alias("SetOptOut")]
    Task SetOptOut(long userId, bool optedOut);

    /// <summary>
    /// Waits for the blocks asked after failed calls to answer, then settles what the failures left (the shard also does
    /// so before each report, and on a timer while any is left, without waiting); returns what is still left.
    /// </summary>
    [Alias("Settle")]
    Task<UnsettledResidency> Settle();

    /// <summary>What failed calls have left to settle now, without waiting.</summary>
    [ReadOnly, Alias("GetUnsettled")]
    Task<UnsettledResidency> GetUnsettled();

    /// <summary>Forgets a user and deletes their rows.</summary>
    [Alias("Erase")]
    Task Erase(long userId);
}
