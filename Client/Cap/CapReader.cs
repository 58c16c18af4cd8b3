using System.Text;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace Alerts.Client.Cap;

/// <summary>
/// Reads a CAP 1.2 document safely: at most <see cref="MaxBytes"/>, no DTD (so no entity expansion and no external
/// entities), no resolver, and validated against the OASIS schema while it is read. Every refusal is a <see cref="CapFormatException"/>.
/// </summary>
public static class CapReader
{
    /// <summary>The largest document accepted, in bytes (a real alert is a few kilobytes).</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Reads at most <see cref="MaxBytes"/> from <paramref name="stream"/>; a longer stream is refused before any parsing.</summary>
    public static async Task<byte[]> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0) break;
            length += read;
        }

        if (length > MaxBytes) throw TooLarge();
        return buffer[..length];
    }

    /// <summary>The error for a document over <see cref="MaxBytes"/>.</summary>
    public static CapFormatException TooLarge(long? bytes = null) =>
        new(null, $"{(bytes is { } n ? $"{n:N0} bytes" : "the document")} is more than the {MaxBytes:N0} bytes a CAP alert may have here");

    /// <summary>Parses and validates <paramref name="document"/>; the root must be <c>alert</c> in the CAP 1.2 namespace.</summary>
    public static XDocument Load(byte[] document)
    {
        if (document.Length > MaxBytes) throw TooLarge(document.Length);
        if (document.Length == 0) throw new CapFormatException(null, "the document is empty");
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxBytes,
            MaxCharactersFromEntities = 1024,
            ValidationType = ValidationType.Schema,
            Schemas = CapSchema.Schemas,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        // The validating reader is the sender: it stands on the element the schema refuses.
        settings.ValidationEventHandler += (sender, e) =>
        {
            if (e.Severity == XmlSeverityType.Error) throw CapSchema.Refusal((sender as XmlReader)?.LocalName is { Length: > 0 } name ? name : null, e.Message, e.Exception);
        };
        XmlReader? reader = null;
        try
        {
            reader = XmlReader.Create(new MemoryStream(document, writable: false), settings);
            // Outside the CAP namespace the schema has nothing to say, so the root is checked here.
            var loaded = XDocument.Load(reader, LoadOptions.SetLineInfo);
            var root = loaded.Root!;
            if (root.Name != XName.Get("alert", CapSchema.Namespace))
                throw new CapFormatException(root.Name.LocalName, $"not a CAP 1.2 alert: the root is {root.Name.LocalName} in {(root.Name.NamespaceName is { Length: > 0 } ns ? ns : "no namespace")}; expected alert in {CapSchema.Namespace}"
                    + (root.Name.NamespaceName.StartsWith("urn:oasis:names:tc:emergency:cap:", StringComparison.Ordinal) ? " (other CAP versions are not read)" : ""));
            return loaded;
        }
        catch (XmlException e) when (IsDtd(document))
        {
            throw new CapFormatException("!DOCTYPE", "a DTD is refused (entity expansion and external entities are never processed)", e);
        }
        catch (XmlException e)
        {
            throw new CapFormatException(null, $"malformed XML (line {e.LineNumber}, position {e.LinePosition}): {e.Message}", e);
        }
    }

    // The parser refused a DTD (or tripped over one): say so rather than quoting its generic message.
    private static bool IsDtd(byte[] document) =>
        Encoding.UTF8.GetString(document).Contains("<!DOCTYPE", StringComparison.Ordinal)
        || Encoding.Unicode.GetString(document, 0, document.Length & ~1).Contains("<!DOCTYPE", StringComparison.Ordinal);
}
