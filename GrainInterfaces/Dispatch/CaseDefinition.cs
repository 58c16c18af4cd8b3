namespace Alerts.GrainInterfaces;

/// <summary>
/// What an admin files: where the child was last seen, the radius (null: the default), the alert text, a link to the
/// full record, and the details below. Every field is checked when the case is filed, each error naming its field.
/// </summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseDefinition")]
public sealed record CaseDefinition(
    [property: Id(0)] double Latitude,
    [property: Id(1)] double Longitude,
    [property: Id(2)] double? RadiusMeters,
    [property: Id(3)] string Message,
    [property: Id(4)] string Link)
{
    /// <summary>The alert's language (<c>zh-CN</c>, <c>zh-TW</c> or <c>en</c>).</summary>
    [Id(5)]
    public string Language { get; init; } = "zh-CN";

    /// <summary>Who is missing.</summary>
    [Id(6)]
    public MissingChild? Child { get; init; }

    /// <summary>When the child was last seen.</summary>
    [Id(7)]
    public DateTimeOffset? LastSeenAt { get; init; }

    /// <summary>Where the child was last seen, in words (the point is <see cref="Latitude"/>, <see cref="Longitude"/>).</summary>
    [Id(8)]
    public string? LastSeenPlace { get; init; }

    /// <summary>The police's reference for the case.</summary>
    [Id(9)]
    public string? PoliceReference { get; init; }

    /// <summary>The phone number the public calls with information.</summary>
    [Id(10)]
    public string? ContactPhone { get; init; }

    /// <summary>The correction sent to everyone reached if the case is cancelled: written before anything goes out.</summary>
    [Id(11)]
    public string? Correction { get; init; }

    /// <summary>A drill (CAP status Exercise): reaches only users enrolled as testers, marked as a test, never live.</summary>
    [Id(12)]
    public bool Exercise { get; init; }

    /// <summary>The widening schedule: rings that fire at fixed times after approval, each wider than the last.</summary>
    [Id(13)]
    public IReadOnlyList<WideningRing> Rings { get; init; } = [];

    /// <summary>The message in other languages (a CAP alert carries one info block per language).</summary>
    [Id(14)]
    public IReadOnlyList<CaseTranslation> Translations { get; init; } = [];
}
