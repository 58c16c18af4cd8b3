using System.Globalization;
using System.Xml;

namespace Alerts.Client.Cap;

/// <summary>CAP date-times: whole seconds and an explicit offset (<c>2026-11-29T14:05:00+08:00</c>), as the schema's pattern demands.</summary>
public static class CapDateTime
{
    /// <summary>Formats for <c>sent</c>, <c>expires</c> and references (fractions of a second dropped).</summary>
    public static string Format(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>Parses an XML Schema date-time; refuses anything else naming <paramref name="element"/>.</summary>
    public static DateTimeOffset Parse(string text, string element, string what)
    {
        try
        {
            return XmlConvert.ToDateTimeOffset(text);
        }
        catch (FormatException)
        {
            throw new CapFormatException(element, $"{what} \"{text}\" is not a date-time such as 2026-11-29T14:05:00+08:00");
        }
    }
}
