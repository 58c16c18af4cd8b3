namespace Alerts.Grains;

/// <summary>One user's move as a directory shard begins it: the block they leave and the block they go to (packed geohashes).</summary>
public readonly record struct JournaledMove(long UserId, long From, long To);
