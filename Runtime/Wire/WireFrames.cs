using System.Buffers;
using System.Net.WebSockets;

namespace Alerts.Runtime;

/// <summary>Reads whole text messages from a WebSocket with a size limit.</summary>
public static class WireFrames
{
    /// <summary>The outcome of reading one message.</summary>
    public enum ReadStatus { Message, TooLarge, Closed }

    /// <summary>Reads one message into <paramref name="buffer"/> (cleared first); an oversized message is drained and reported, its first bytes kept.</summary>
    public static async Task<ReadStatus> ReadAsync(WebSocket socket, ArrayBufferWriter<byte> buffer, int maxBytes, CancellationToken cancellationToken)
    {
        buffer.Clear();
        var tooLarge = false;
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(memory, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
                return ReadStatus.Closed;
            }

            if (result.MessageType == WebSocketMessageType.Close) return ReadStatus.Closed;
            if (!tooLarge) buffer.Advance(result.Count);
            if (buffer.WrittenCount > maxBytes && !tooLarge)
            {
                tooLarge = true;
            }

            if (result.EndOfMessage) return tooLarge ? ReadStatus.TooLarge : ReadStatus.Message;
        }
    }

    /// <summary>Finds "id": n near the start of a message that could not be parsed whole.</summary>
    public static long? SniffId(ReadOnlySpan<byte> prefix)
    {
        var text = System.Text.Encoding.UTF8.GetString(prefix[..Math.Min(prefix.Length, 512)]);
        var match = System.Text.RegularExpressions.Regex.Match(text, "\"id\"\\s*:\\s*(\\d{1,18})");
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
