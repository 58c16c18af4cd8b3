namespace Alerts.GrainInterfaces;

/// <summary>
/// What failed cell calls have left to settle: users a block still holds though they left it (its removal failed), and
/// users sent to a block that has yet to say whether it took them (its upsert failed). Both zero once all is settled.
/// </summary>
[GenerateSerializer, Immutable, Alias("alerts.UnsettledResidency")]
public sealed record UnsettledResidency([property: Id(0)] int OwedRemovals, [property: Id(1)] int AwaitingAnswer)
{
    /// <summary>Nothing left to settle.</summary>
    public static UnsettledResidency None { get; } = new(0, 0);

    /// <summary>True when nothing is left.</summary>
    public bool IsSettled => OwedRemovals == 0 && AwaitingAnswer == 0;

    /// <summary>What is left, in words ("nothing" when settled).</summary>
    public string Describe() =>
        IsSettled ? "nothing" : $"{OwedRemovals:N0} removals owed, {AwaitingAnswer:N0} users awaiting a block's answer";

    /// <summary>The sum over shards.</summary>
    public static UnsettledResidency Sum(IEnumerable<UnsettledResidency> shards) =>
        shards.Aggregate(None, (sum, shard) => new UnsettledResidency(sum.OwedRemovals + shard.OwedRemovals, sum.AwaitingAnswer + shard.AwaitingAnswer));
}
