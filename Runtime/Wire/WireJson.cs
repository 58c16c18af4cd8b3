using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alerts.Runtime;

/// <summary>The one JSON configuration for state and the wire: camelCase, enums as strings, text unescaped UTF-8.</summary>
public static class WireJson
{
    /// <summary>Shared serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            IncludeFields = true,
            // Keep non-ASCII text as UTF-8 rather than \uXXXX escapes: a Chinese alert costs 3 bytes a character, not 6.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
