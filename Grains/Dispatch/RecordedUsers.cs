using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>What one recording wrote: the push batches of the users newly reached, and how many were held back by the fatigue limit.</summary>
public sealed record RecordedUsers(List<PushBatch> Batches, int Suppressed)
{
    /// <summary>Nothing recorded.</summary>
    public static RecordedUsers None { get; } = new([], 0);
}
