using System.Globalization;
using Alerts.Geo;

namespace Alerts.Grains;

/// <summary>SQL that computes a cell's <see cref="Geohash.OrderKey"/> from its geohash text: databases made before cells were stored as keys are converted with it.</summary>
internal static class TextCellKey
{
    /// <summary>
    /// The key of the geohash text in <paramref name="column"/>, for any precision. <paramref name="position"/> is the
    /// engine's function giving where one string starts in another (1-based; 1 for the empty string, so the characters
    /// past the text's end count 0).
    /// </summary>
    public static string Of(string column, string position)
    {
        var terms = new List<string>(Geohash.MaxPrecision + 1);
        for (var i = 1; i <= Geohash.MaxPrecision; i++)
        {
            var value = $"({position}('{Geohash.Alphabet}', substr({column}, {i}, 1)) - 1)";
            var weight = string.Create(CultureInfo.InvariantCulture, $"CAST({1L << (64 - 5 * i)} AS BIGINT)");
            // The first character holds the key's sign bit: its values 16 to 31 are negative in two's complement (and
            // no sum of the terms overflows on the way).
            terms.Add(i == 1 ? $"(CASE WHEN {value} >= 16 THEN {value} - 32 ELSE {value} END) * {weight}" : $"{value} * {weight}");
        }

        // The marker bit after the last character.
        var markers = Enumerable.Range(1, Geohash.MaxPrecision)
            .Select(length => string.Create(CultureInfo.InvariantCulture, $"WHEN {length} THEN CAST({1L << (63 - 5 * length)} AS BIGINT)"));
        terms.Add($"CASE length({column}) {string.Join(" ", markers)} END");
        return string.Join(" + ", terms);
    }
}
