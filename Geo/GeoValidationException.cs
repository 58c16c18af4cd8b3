namespace Alerts.Geo;

/// <summary>A coordinate, radius or geohash that breaks the geometry contract; names the field and the bad value.</summary>
public sealed class GeoValidationException : ArgumentException
{
    public GeoValidationException(string field, object? value, string reason)
        : base($"{field} {Format(value)} is invalid: {reason}", field)
    {
        Field = field;
        Value = value;
        Reason = reason;
    }

    /// <summary>The name of the offending field, e.g. "latitude".</summary>
    public string Field { get; }

    /// <summary>The rejected value as given.</summary>
    public object? Value { get; }

    /// <summary>Why the value was rejected, e.g. "must be within [-90, 90]".</summary>
    public string Reason { get; }

    public override string Message => $"{Field} {Format(Value)} is invalid: {Reason}";

    private static string Format(object? value) => value switch
    {
        null => "(null)",
        string s => $"\"{s}\"",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "(null)",
    };
}
