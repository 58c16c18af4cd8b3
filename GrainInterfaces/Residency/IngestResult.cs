namespace Alerts.GrainInterfaces;

/// <summary>What happened to a batch of location updates.</summary>
/// <param name="Applied">Updates that changed a user's position.</param>
/// <param name="Ignored">Updates no newer than the fix already held (out of order or repeated).</param>
/// <param name="Rejected">Invalid updates, each listed in <paramref name="Rejections"/>.</param>
public sealed record IngestResult(int Applied, int Ignored, int Rejected, List<RejectedUpdate> Rejections);

/// <summary>An invalid update: its position in the batch, the user, the field and why.</summary>
public sealed record RejectedUpdate(int Index, long UserId, string Field, string Reason);
