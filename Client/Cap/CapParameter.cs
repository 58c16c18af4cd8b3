using System.Xml.Linq;

namespace Alerts.Client.Cap;

/// <summary>A CAP <c>parameter</c> (or <c>geocode</c>): a value name and its value.</summary>
public sealed record CapParameter(string ValueName, string Value)
{
    /// <summary>Reads a <c>parameter</c> or <c>geocode</c> element.</summary>
    public static CapParameter From(XElement element) =>
        new(CapAlert.Required(element, "valueName"), CapAlert.Optional(element, "value") ?? "");
}
