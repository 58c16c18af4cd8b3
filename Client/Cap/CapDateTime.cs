using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Alerts.Client.Cap;

/// <summary>CAP date-times: whole seconds and an explicit offset (<c>2026-11-29T14:05:00+08:00</c>), as the schema's pattern demands.</summary>
public static partial class CapDateTime
{
    /// <summary>Formats for <c>sent</c>, <c>expires</c> and references (fractions of a second dropped).</summary>
    public static string Format(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a full date and time with its offset (<c>Z</c> or <c>±hh:mm</c>; the seconds may carry a fraction); refuses
    /// anything else, or a time outside what a <see cref="DateTimeOffset"/> holds, naming <paramref name="element"/>.
    /// </summary>
    public static DateTimeOffset Parse(string text, string element, string what)
    {
        // XML Schema also takes a time without an offset (read here in the machine's zone) and a bare date (midnight):
        // either would tell the public a wrong hour, so the time is refused, not guessed.
        const string Example = "such as 2026-11-29T14:05:00+08:00 (Z for UTC)";
        if (!Shape().IsMatch(text)) throw Refused(text, element, what, $"is not a date-time with its offset, {Example}");
        try
        {
            return XmlConvert.ToDateTimeOffset(text);
        }
        catch (FormatException e)
        {
            throw Refused(text, element, what, $"is not a date-time with its offset, {Example}", e);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            // Valid for the schema, but e.g. 0001-01-01T00:00:00+14:00 is before the first instant a DateTimeOffset holds.
            throw Refused(text, element, what, "is out of range: it must fall within the years 0001 to 9999 in UTC", e);
        }
    }

    private static CapFormatException Refused(string text, string element, string what, string reason, Exception? inner = null) =>
        new(element, $"{what} \"{text}\" {reason}", inner);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
