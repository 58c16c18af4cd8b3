namespace Alerts.GrainInterfaces;

/// <summary>What happened to a batch of location updates.</summary>
/// <param name="Applied">Updates stored as the user's position (the same fix again is stored again), all written when the answer comes.</param>
/// <param name="Ignored">Updates older than the fix already held (out of order), or at the same instant in another block.</param>
/// <param name="Rejected">Invalid updates, each listed in <paramref name="Rejections"/>.</param>
/// <param name="Rejections">Each invalid update with its field and reason.</param>
[GenerateSerializer, Immutable, Alias("alerts.IngestResult")]
public sealed record IngestResult([property: Id(0)] int Applied, [property: Id(1)] int Ignored, [property: Id(2)] int Rejected, [property: Id(3)] List<RejectedUpdate> Rejections);

/// <summary>An invalid update: its position in the batch, the user, the field and why.</summary>
[GenerateSerializer, Immutable, Alias("alerts.RejectedUpdate")]
public sealed record RejectedUpdate([property: Id(0)] int Index, [property: Id(1)] long UserId, [property: Id(2)] string Field, [property: Id(3)] string Reason);
