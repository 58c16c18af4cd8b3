namespace Alerts.GrainInterfaces;

/// <summary>The missing child as the police describe them; only the name is required.</summary>
[GenerateSerializer, Immutable, Alias("alerts.MissingChild")]
public sealed record MissingChild(
    [property: Id(0)] string Name,
    [property: Id(1)] int? Age = null,
    [property: Id(2)] ChildSex Sex = ChildSex.Unknown,
    [property: Id(3)] int? HeightCm = null,
    [property: Id(4)] string? Clothing = null,
    [property: Id(5)] string? Appearance = null,
    [property: Id(6)] string? PhotoUrl = null);
