using System.Xml.Linq;

namespace Alerts.Client.Cap;

/// <summary>A CAP <c>resource</c>: a file that belongs to the alert, e.g. the child's photo.</summary>
public sealed record CapResource(string Description, string MimeType, string? Uri)
{
    /// <summary>Reads a <c>resource</c> element.</summary>
    public static CapResource From(XElement element) =>
        new(CapAlert.Optional(element, "resourceDesc") ?? "", CapAlert.Required(element, "mimeType"), CapAlert.Optional(element, "uri"));

    /// <summary>An image with an address (<c>image/…</c> and a <c>uri</c>).</summary>
    public bool IsImage => Uri is not null && MimeType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);
}
