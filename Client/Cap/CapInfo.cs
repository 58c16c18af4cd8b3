using System.Xml.Linq;

namespace Alerts.Client.Cap;

/// <summary>One CAP <c>info</c> block (one per language): its texts, response types, links, parameters, resources and areas.</summary>
public sealed record CapInfo(
    int Position,
    string Language,
    string Event,
    IReadOnlyList<string> ResponseTypes,
    string? Headline,
    string? Description,
    string? Instruction,
    string? Web,
    string? Contact,
    IReadOnlyList<CapParameter> Parameters,
    IReadOnlyList<CapResource> Resources,
    IReadOnlyList<CapArea> Areas)
{
    /// <summary>The language CAP assumes when an info block names none.</summary>
    public const string DefaultLanguage = "en-US";

    /// <summary>"info[2] (en-US)": how errors name this block.</summary>
    public string Label => $"info[{Position}] ({Language})";

    /// <summary>Reads the <paramref name="position"/>-th (1-based) info element.</summary>
    public static CapInfo From(XElement info, int position) => new(
        position,
        CapAlert.Optional(info, "language") ?? DefaultLanguage,
        CapAlert.Required(info, "event"),
        [.. info.Elements(CapAlert.Cap("responseType")).Select(r => r.Value.Trim())],
        CapAlert.Optional(info, "headline"),
        CapAlert.Optional(info, "description"),
        CapAlert.Optional(info, "instruction"),
        CapAlert.Optional(info, "web"),
        CapAlert.Optional(info, "contact"),
        [.. info.Elements(CapAlert.Cap("parameter")).Select(CapParameter.From)],
        [.. info.Elements(CapAlert.Cap("resource")).Select(CapResource.From)],
        [.. info.Elements(CapAlert.Cap("area")).Select(CapArea.From)]);
}
