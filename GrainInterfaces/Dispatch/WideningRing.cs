namespace Alerts.GrainInterfaces;

/// <summary>One step of a widening schedule: <see cref="After"/> the approval, the case reaches out to <see cref="RadiusMeters"/>.</summary>
[GenerateSerializer, Immutable, Alias("alerts.WideningRing")]
public sealed record WideningRing([property: Id(0)] TimeSpan After, [property: Id(1)] double RadiusMeters);
