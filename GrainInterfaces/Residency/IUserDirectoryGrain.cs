using Alerts.Runtime;

namespace Alerts.GrainInterfaces;

/// <summary>A shard of the user directory (key = user id mod shard count): each user's current cell and last fix.</summary>
[RequiresRole(Roles.Silo)]
public interface IUserDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Applies valid updates of users in this shard; returns (applied, ignored).</summary>
    Task<ShardResult> Apply(List<LocationUpdate> updates);

    /// <summary>Records a user's opt-out durably and tells their cell.</summary>
    Task SetOptOut(long userId, bool optedOut);

    /// <summary>Forgets a user and deletes their rows.</summary>
    Task Erase(long userId);
}

/// <summary>Counts from one directory shard.</summary>
public sealed record ShardResult(int Applied, int Ignored);
