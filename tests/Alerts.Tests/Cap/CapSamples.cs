using System.Text;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Alerts.Client.Cap;

namespace Alerts.Tests;

/// <summary>The CAP sample files (<c>Cap/samples</c>, copied beside the tests) and an independent check against the OASIS schema.</summary>
public static class CapSamples
{
    /// <summary>The folder holding the samples.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Cap", "samples");

    /// <summary>The path of sample <paramref name="name"/>.</summary>
    public static string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>The text of sample <paramref name="name"/>.</summary>
    public static string Text(string name) => File.ReadAllText(PathOf(name));

    /// <summary>Sample <paramref name="name"/> with <paramref name="from"/> replaced (which must occur), as UTF-8.</summary>
    public static byte[] Edited(string name, string from, string to)
    {
        var text = Text(name);
        Assert.Contains(from, text);
        return Encoding.UTF8.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    /// <summary>
    /// The schema errors of <paramref name="document"/> against <c>CAP-v1.2.xsd</c>, compiled here on its own
    /// (not through <see cref="CapSchema"/>), so the product's validation is not checking itself.
    /// </summary>
    public static IReadOnlyList<string> SchemaErrors(byte[] document)
    {
        var schemas = new XmlSchemaSet { XmlResolver = null };
        using (var xsd = typeof(CapSchema).Assembly.GetManifestResourceStream("Alerts.Client.Cap.CAP-v1.2.xsd")!)
        {
            schemas.Add("urn:oasis:names:tc:emergency:cap:1.2", XmlReader.Create(xsd));
        }

        schemas.Compile();
        var errors = new List<string>();
        var parsed = XDocument.Load(new MemoryStream(document));
        Assert.Equal(XName.Get("alert", "urn:oasis:names:tc:emergency:cap:1.2"), parsed.Root!.Name);
        parsed.Validate(schemas, (_, e) => errors.Add($"{e.Severity}: {e.Message}"));
        return errors;
    }
}
