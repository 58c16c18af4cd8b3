namespace Alerts.Client.Cap;

/// <summary>A CAP document that cannot become (or is not) a valid case alert: one line naming the element and the reason.</summary>
public sealed class CapFormatException : FormatException
{
    /// <summary>An error about <paramref name="element"/> (null: the document as a whole).</summary>
    public CapFormatException(string? element, string reason, Exception? inner = null)
        : base(element is null ? $"CAP document: {reason}" : $"CAP element <{element}>: {reason}", inner)
    {
        Element = element;
        Reason = reason;
    }

    /// <summary>The element at fault (its local name, e.g. <c>circle</c>), or null for the document as a whole.</summary>
    public string? Element { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}
