namespace Alerts.Runtime;

/// <summary>The wire protocol's version, sent as "v" in every message.</summary>
public static class WireProtocol
{
    /// <summary>Version 1: JSON text frames, described in the README.</summary>
    public const int Version = 1;

    /// <summary>One message: an object with "v" first, then what <paramref name="body"/> writes.</summary>
    public static byte[] Message(Action<System.Text.Json.Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", Version);
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
