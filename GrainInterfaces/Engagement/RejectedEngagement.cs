namespace Alerts.GrainInterfaces;

/// <summary>An event that was not counted: its position in the report, the field at fault and why.</summary>
/// <param name="Index">Its position in the caller's list.</param>
/// <param name="UserId">The user it named (0 when it named none).</param>
/// <param name="Field">The field at fault (e.g. <c>time</c>, <c>shareToken</c>, <c>sighting.latitude</c>).</param>
/// <param name="Reason">Why, for people.</param>
/// <param name="Refused">True when the event was well formed but not allowed (a user never pushed nor invited, a forged token); false for bad input.</param>
[GenerateSerializer, Immutable, Alias("alerts.RejectedEngagement")]
public sealed record RejectedEngagement(
    [property: Id(0)] int Index,
    [property: Id(1)] long UserId,
    [property: Id(2)] string Field,
    [property: Id(3)] string Reason,
    [property: Id(4)] bool Refused);
