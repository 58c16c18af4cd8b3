using System.Text.Json;

namespace Alerts.Runtime;

/// <summary>
/// Method arguments on the wire: a JSON array in parameter order. CancellationToken parameters are not
/// sent (cancellation travels as its own message); an observer reference travels as {"$observer": "guid"}.
/// </summary>
public static class WireArguments
{
    /// <summary>The property naming an observer reference.</summary>
    public const string ObserverProperty = "$observer";

    /// <summary>Writes the argument array.</summary>
    public static void Write(Utf8JsonWriter writer, GrainMethod method, object?[] args, Func<object, Guid?> observerIdOf)
    {
        writer.WriteStartArray();
        for (var i = 0; i < method.ParameterTypes.Length; i++)
        {
            var type = method.ParameterTypes[i];
            if (type == typeof(CancellationToken)) continue;
            var arg = args[i];
            if (arg is not null && typeof(IGrainObserver).IsAssignableFrom(type))
            {
                var id = observerIdOf(arg) ?? throw new ArgumentException($"argument {method.ParameterNames[i]} must be a reference from CreateObjectReference", method.ParameterNames[i]);
                writer.WriteStartObject();
                writer.WriteString(ObserverProperty, id.ToString("N"));
                writer.WriteEndObject();
            }
            else
            {
                JsonSerializer.Serialize(writer, arg, type, WireJson.Options);
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads the argument array, naming the parameter in any error.</summary>
    public static object?[] Read(JsonElement? args, GrainMethod method, CancellationToken cancellation, Func<Guid, Type, object>? observerFactory)
    {
        var wireCount = method.ParameterTypes.Count(t => t != typeof(CancellationToken));
        var elements = args is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().ToArray()
            : args is null || args.Value.ValueKind == JsonValueKind.Undefined ? []
            : throw new GrainCallRejectedException(WireError.BadArguments, $"{method}: \"args\" must be an array");
        if (elements.Length != wireCount)
            throw new GrainCallRejectedException(WireError.BadArguments, $"{method} takes {wireCount} argument(s), got {elements.Length}");

        var result = new object?[method.ParameterTypes.Length];
        var next = 0;
        for (var i = 0; i < result.Length; i++)
        {
            var type = method.ParameterTypes[i];
            if (type == typeof(CancellationToken))
            {
                result[i] = cancellation;
                continue;
            }

            var element = elements[next++];
            var name = method.ParameterNames[i];
            if (typeof(IGrainObserver).IsAssignableFrom(type))
            {
                if (observerFactory is null || element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(ObserverProperty, out var idElement)
                    || !Guid.TryParse(idElement.GetString(), out var id))
                    throw new GrainCallRejectedException(WireError.BadArguments, $"{method}: argument '{name}' must be an observer reference {{\"{ObserverProperty}\": \"<guid>\"}}");
                result[i] = observerFactory(id, type);
                continue;
            }

            try
            {
                result[i] = element.Deserialize(type, WireJson.Options);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new GrainCallRejectedException(WireError.BadArguments, $"{method}: argument '{name}' is not a valid {FriendlyName(type)}: {e.Message}");
            }

            if (result[i] is null && type.IsValueType && Nullable.GetUnderlyingType(type) is null)
                throw new GrainCallRejectedException(WireError.BadArguments, $"{method}: argument '{name}' must not be null");
        }

        return result;
    }

    /// <summary>A readable type name for error messages, e.g. List&lt;Int64&gt;.</summary>
    public static string FriendlyName(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(FriendlyName))}>" : type.Name;
}
