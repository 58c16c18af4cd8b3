using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alerts.GrainInterfaces;

/// <summary>How a push payload is written as JSON (its 4 KB limit is measured this way): camelCase, enums as strings, text unescaped UTF-8.</summary>
public static class PayloadJson
{
    /// <summary>Shared serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>The payload's size in bytes as JSON.</summary>
    public static int SizeOf(AlertPayload payload) => JsonSerializer.SerializeToUtf8Bytes(payload, Options).Length;

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // Keep non-ASCII text as UTF-8 rather than \uXXXX escapes: a Chinese alert costs 3 bytes a character, not 6.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
