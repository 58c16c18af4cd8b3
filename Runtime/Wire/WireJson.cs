using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alerts.Runtime;

/// <summary>The one JSON configuration for state and the wire: camelCase, enums as strings, numbers strict.</summary>
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
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
