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
    /// Settles what failed calls left, as the shard does before each report and on a timer while any is left: takes the
    /// answers that came, asks the blocks not yet asked, makes the removals owed; returns what is still left. Waits for
    /// no answer (see <see cref="WhenAnswered"/>). Allowed longer than the removals it makes, so they time out first
    /// and it still says what is left.
    /// </summary>
    [ResponseTimeout("00:01:00")]
    [Alias("Settle")]
    Task<UnsettledResidency> Settle();

    /// <summary>
    /// Completes once every block asked so far has answered or failed to. Interleaves: a block that hangs holds up this
    /// call, never the shard's reports. Allowed longer than the questions, so they time out first.
    /// </summary>
    [AlwaysInterleave, ResponseTimeout("00:01:00"), Alias("WhenAnswered")]
    Task WhenAnswered();

    /// <summary>What failed calls have left to settle now, without waiting.</summary>
    [ReadOnly, Alias("GetUnsettled")]
    Task<UnsettledResidency> GetUnsettled();

    /// <summary>Forgets a user and deletes their rows.</summary>
    [Alias("Erase")]
    Task Erase(long userId);
}
