using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace Alerts.Client.Cap;

/// <summary>The OASIS CAP 1.2 schema (<c>CAP-v1.2.xsd</c>, embedded; see <c>CAP-XSD.md</c>), compiled once.</summary>
public static class CapSchema
{
    /// <summary>The CAP 1.2 namespace.</summary>
    public const string Namespace = "urn:oasis:names:tc:emergency:cap:1.2";

    /// <summary>The embedded resource holding the XSD.</summary>
    public const string ResourceName = "Alerts.Client.Cap.CAP-v1.2.xsd";

    private static readonly Lazy<XmlSchemaSet> Compiled = new(Compile);

    /// <summary>The compiled schema set (read-only once compiled; safe to share).</summary>
    public static XmlSchemaSet Schemas => Compiled.Value;

    /// <summary>The XSD's text as shipped (with its OASIS copyright notice).</summary>
    public static Stream OpenXsd() =>
        typeof(CapSchema).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing");

    /// <summary>Throws <see cref="CapFormatException"/> naming the first element the schema refuses.</summary>
    public static void Validate(XDocument document)
    {
        document.Validate(Schemas, (sender, e) =>
        {
            if (e.Severity == XmlSeverityType.Error) throw Refusal(sender is XElement element ? element.Name.LocalName : (sender as XAttribute)?.Parent?.Name.LocalName, e.Message, e.Exception);
        });
    }

    /// <summary>The error for a schema refusal of <paramref name="element"/>.</summary>
    public static CapFormatException Refusal(string? element, string message, XmlSchemaException? inner) =>
        new(element, $"not valid CAP 1.2{(inner is { LineNumber: > 0 } ? $" (line {inner.LineNumber}, position {inner.LinePosition})" : "")}: {Shorter(message)}", inner);

    // Every name is in the CAP namespace: saying so at each mention only hides the element.
    private static string Shorter(string message) =>
        message.Replace($" in namespace '{Namespace}'", "", StringComparison.Ordinal).Replace($"'{Namespace}:", "'", StringComparison.Ordinal);

    private static XmlSchemaSet Compile()
    {
        using var xsd = OpenXsd();
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(xsd, settings);
        var set = new XmlSchemaSet { XmlResolver = null };
        set.Add(Namespace, reader);
        set.Compile();
        return set;
    }
}
