using System.Globalization;

namespace Alerts.Client.Cap;

/// <summary>Numbers as CAP writes them (circles, rings, area descriptions): plain decimals that read back to the same double.</summary>
public static class CapDecimal
{
    /// <summary>
    /// <paramref name="value"/> in invariant fixed-point notation with the digits of its shortest round-trippable form:
    /// never an exponent, which "R" writes below 1e-5 (a longitude of 0.00005, within 11 m of Greenwich, is
    /// <c>5E-05</c>) and which neither CAP's circle nor this product's import reads.
    /// </summary>
    public static string Format(double value)
    {
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        if (e < 0) return shortest;

        // Move the point by the exponent over the same digits: no rounding, so the text parses back to value exactly.
        var exponent = int.Parse(shortest.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = shortest[..e];
        var sign = mantissa.StartsWith('-') ? "-" : "";
        mantissa = mantissa.TrimStart('-');
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var whole = (point < 0 ? mantissa.Length : point) + exponent;
        var text = whole <= 0 ? $"0.{new string('0', -whole)}{digits}"
            : whole >= digits.Length ? digits + new string('0', whole - digits.Length)
            : $"{digits[..whole]}.{digits[whole..]}";
        return sign + text;
    }
}
