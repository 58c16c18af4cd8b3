using System.CommandLine.Parsing;
using System.Globalization;

namespace Alerts.Cli;

/// <summary>
/// How the console reads a decimal number, in an option (<c>CustomParser = NumberOption.Parse</c>) or inside one
/// (<c>--ring</c>, <c>--bbox</c>): invariant culture, a dot for decimals, no thousands separators. The default parser
/// took a comma as a thousands separator, so <c>--radius-km 2,50</c> (two and a half, as half the world writes it)
/// became 250 km.
/// </summary>
public static class NumberOption
{
    /// <summary>The number <paramref name="text"/> is, in invariant culture with no thousands separators.</summary>
    public static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>The parser of an <c>Option&lt;double&gt;</c>: anything else is a parse error (exit 2) naming the option and the token.</summary>
    public static double Parse(ArgumentResult result) => ParseOptional(result) ?? default;

    /// <summary>The parser of an <c>Option&lt;double?&gt;</c>.</summary>
    public static double? ParseOptional(ArgumentResult result)
    {
        if (result.Tokens is not [var token]) return null;
        if (TryParse(token.Value, out var value)) return value;
        var name = result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
        result.AddError($"{name} \"{token.Value}\" is not a number (use a dot for decimals)");
        return null;
    }
}
