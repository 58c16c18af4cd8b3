namespace Alerts.GrainInterfaces;

/// <summary>The alert (and its prepared correction) in another language.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseTranslation")]
public sealed record CaseTranslation([property: Id(0)] string Language, [property: Id(1)] string Message, [property: Id(2)] string? Correction = null);
