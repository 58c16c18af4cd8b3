namespace Alerts.Client.Cap;

/// <summary>Where in a CAP alert each case field comes from, so a refusal of an imported case can name the CAP element to fix.</summary>
public static class CapFields
{
    private static readonly Dictionary<string, string> Sources = new(StringComparer.Ordinal)
    {
        ["latitude"] = "<circle>",
        ["longitude"] = "<circle>",
        ["radiusMeters"] = "<circle>",
        ["message"] = "<description> (or <headline>) and <instruction>",
        ["link"] = "<web>",
        ["language"] = "<language>",
        ["child"] = $"<parameter> {CapParameters.ChildName}",
        ["child.name"] = $"<parameter> {CapParameters.ChildName}",
        ["child.age"] = $"<parameter> {CapParameters.ChildAge}",
        ["child.sex"] = $"<parameter> {CapParameters.ChildSex}",
        ["child.heightCm"] = $"<parameter> {CapParameters.ChildHeightCm}",
        ["child.clothing"] = $"<parameter> {CapParameters.Clothing}",
        ["child.appearance"] = $"<parameter> {CapParameters.Appearance}",
        ["child.photoUrl"] = $"<parameter> {CapParameters.PhotoUrl} (or an image <resource>)",
        ["lastSeenAt"] = $"<parameter> {CapParameters.LastSeenAt}",
        ["lastSeenPlace"] = $"<parameter> {CapParameters.LastSeenPlace}",
        ["policeReference"] = $"<parameter> {CapParameters.PoliceReference}",
        ["correction"] = $"<parameter> {CapParameters.Correction}",
        ["contactPhone"] = "<contact>",
        ["rings"] = $"<parameter> {CapParameters.Ring}",
        ["translations"] = "the other <info> blocks",
    };

    /// <summary>The CAP element a case field (an <see cref="ArgumentException.ParamName"/>) is read from, or null.</summary>
    public static string? SourceOf(string? field) =>
        field is null ? null
        : Sources.TryGetValue(field, out var source) ? source
        : field.StartsWith("translations", StringComparison.Ordinal) ? Sources["translations"]
        : field.StartsWith("rings", StringComparison.Ordinal) ? Sources["rings"]
        : null;
}
