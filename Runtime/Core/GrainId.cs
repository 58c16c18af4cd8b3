namespace Alerts.Runtime;

/// <summary>A grain's identity: its grain type (implementation class name) and its key as text.</summary>
public readonly record struct GrainId(string GrainType, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{GrainType}/{Key}";

    /// <summary>The text form of a string key.</summary>
    public static string KeyOf(string key) => key;

    /// <summary>The text form of an integer key.</summary>
    public static string KeyOf(long key) => key.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The text form of a GUID key.</summary>
    public static string KeyOf(Guid key) => key.ToString("N");
}
