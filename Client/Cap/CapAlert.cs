using System.Xml.Linq;

namespace Alerts.Client.Cap;

/// <summary>The parts of a CAP 1.2 <c>alert</c> the case model uses, read from a schema-valid document.</summary>
public sealed record CapAlert(
    string Identifier,
    string Sender,
    DateTimeOffset Sent,
    string Status,
    string MsgType,
    string Scope,
    string? Note,
    string? References,
    IReadOnlyList<CapInfo> Infos)
{
    /// <summary>Reads <paramref name="document"/> safely (<see cref="CapReader"/>) and takes its parts.</summary>
    public static CapAlert Parse(byte[] document) => From(CapReader.Load(document));

    /// <summary>The parts of a document already read and validated.</summary>
    public static CapAlert From(XDocument document)
    {
        var alert = document.Root!;
        return new CapAlert(
            Required(alert, "identifier"),
            Required(alert, "sender"),
            CapDateTime.Parse(Required(alert, "sent"), "sent", "sent"),
            Required(alert, "status"),
            Required(alert, "msgType"),
            Required(alert, "scope"),
            Optional(alert, "note"),
            Optional(alert, "references"),
            [.. alert.Elements(Cap("info")).Select((info, i) => CapInfo.From(info, i + 1))]);
    }

    /// <summary>A name in the CAP 1.2 namespace.</summary>
    public static XName Cap(string localName) => XName.Get(localName, CapSchema.Namespace);

    /// <summary>The trimmed text of the child <paramref name="name"/>, or null when it is absent or blank.</summary>
    public static string? Optional(XElement parent, string name) =>
        parent.Element(Cap(name))?.Value.Trim() is { Length: > 0 } text ? text : null;

    /// <summary>The trimmed text of the child <paramref name="name"/>; blank is refused, naming it.</summary>
    public static string Required(XElement parent, string name) =>
        Optional(parent, name) ?? throw new CapFormatException(name, "is missing or empty");
}
