using System.Globalization;
using Alerts.GrainInterfaces;

namespace Alerts.Client.Cap;

/// <summary>
/// Turns a CAP 1.2 alert into a draft case (the mapping and what is refused are in the README, "CAP 1.2"): the first
/// zh-CN or en info block (else the first) is the case's language and message, the others its translations; the one
/// circle is the centre and radius; parameters carry the child's details. Every refusal names the element.
/// </summary>
public static class CapImport
{
    /// <summary>The longest alert message (AMBER alerts over WEA carry 360 characters).</summary>
    public const int MaxMessageLength = 360;

    /// <summary>Reads <paramref name="document"/> safely and maps it.</summary>
    public static CapImportResult Read(byte[] document) => From(CapAlert.Parse(document));

    /// <summary>Maps an alert already read.</summary>
    public static CapImportResult From(CapAlert alert)
    {
        var exercise = IsExercise(alert);
        if (alert.MsgType != "Alert")
            throw new CapFormatException("msgType", $"{alert.MsgType} does not file a case: only an Alert does (an Update or Cancel applies to the case it references)");
        if (alert.Infos.Count == 0) throw new CapFormatException("info", "the alert has no info block: nothing to tell the public");

        var languages = alert.Infos.Select(CaseLanguage).ToList();
        for (var i = 1; i < languages.Count; i++)
        {
            var first = languages.IndexOf(languages[i]);
            if (first < i) throw new CapFormatException("language", $"{alert.Infos[i].Label} is a second {languages[i]} block (after {alert.Infos[first].Label}); give one block per language");
        }

        var mainIndex = Math.Max(0, languages.FindIndex(l => l is "zh-CN" or "en"));
        var main = alert.Infos[mainIndex];
        var circle = Circle(alert.Infos, main);
        var parameters = Parameters(main);
        var definition = new CaseDefinition(
            circle.Latitude,
            circle.Longitude,
            circle.RadiusKm == 0 ? null : circle.RadiusKm * 1000,
            Message(main),
            main.Web ?? throw new CapFormatException("web", $"{main.Label} has no web: a case needs a link to its full record"))
        {
            Language = languages[mainIndex],
            Child = Child(main, parameters),
            LastSeenAt = One(parameters, CapParameters.LastSeenAt, main) is { } seen ? CapDateTime.Parse(seen, "parameter", CapParameters.LastSeenAt) : null,
            LastSeenPlace = One(parameters, CapParameters.LastSeenPlace, main),
            PoliceReference = One(parameters, CapParameters.PoliceReference, main),
            ContactPhone = main.Contact,
            Correction = One(parameters, CapParameters.Correction, main),
            Exercise = exercise,
            Rings = [.. parameters.GetValueOrDefault(CapParameters.Ring, []).Select(Ring)],
            Translations =
            [
                .. alert.Infos.Select((info, i) => (info, i)).Where(x => x.i != mainIndex)
                    .Select(x => new CaseTranslation(languages[x.i], Message(x.info), One(Parameters(x.info), CapParameters.Correction, x.info))),
            ],
        };
        return new CapImportResult(CapIdentifiers.ToCaseId(alert.Identifier), alert.Identifier, alert.Sender, alert.Sent, definition);
    }

    /// <summary>
    /// The alert message of an info block: its description (else its headline), then its instruction after a space;
    /// trimmed, never cut. The headline is a title, so it is only used when there is no description.
    /// </summary>
    public static string Message(CapInfo info)
    {
        var text = info.Description ?? info.Headline
            ?? throw new CapFormatException("description", $"{info.Label} has neither description nor headline: no text for the alert");
        if (info.Instruction is { } instruction) text = $"{text} {instruction}";
        if (text.Length > MaxMessageLength)
            throw new CapFormatException(info.Description is null ? "headline" : "description",
                $"{info.Label} makes an alert message of {text.Length} characters ({(info.Description is null ? "headline" : "description")}{(info.Instruction is null ? "" : " + instruction")}); at most {MaxMessageLength}: shorten it, nothing is cut");
        return text;
    }

    /// <summary>
    /// Actual is live, Exercise a drill; other statuses and scopes are refused (they are not for the public). Draft is
    /// refused too, the status <see cref="CapExport"/> writes for a case not yet approved: its text is not yet meant to go out.
    /// </summary>
    public static bool IsExercise(CapAlert alert)
    {
        if (alert.Scope != "Public") throw new CapFormatException("scope", $"{alert.Scope} is not imported: a case alerts the public, so only Public alerts become cases");
        return alert.Status switch
        {
            "Actual" => false,
            "Exercise" => true,
            _ => throw new CapFormatException("status", $"{alert.Status} is not imported: only Actual (a live case) and Exercise (a drill) become cases; System, Test and Draft messages are not for the public (a case exports as Draft until it is approved)"),
        };
    }

    /// <summary>The case language of an info block; a language cases do not speak is refused.</summary>
    public static string CaseLanguage(CapInfo info) =>
        CapLanguages.ToCase(info.Language)
        ?? throw new CapFormatException("language", $"{info.Label}: {info.Language} is not a case language; cases speak zh-CN, zh-TW (also zh-HK, zh-MO, zh-Hant) and en (any en-*)");

    // Exactly one circle in the main block (other blocks repeat it or give none); polygons and geocodes are not turned into circles.
    private static CapCircle Circle(IReadOnlyList<CapInfo> infos, CapInfo main)
    {
        var circles = main.Areas.SelectMany(a => a.Circles).ToList();
        var polygons = main.Areas.Sum(a => a.Polygons);
        if (circles.Count == 0)
        {
            if (main.Areas.Count == 0) throw new CapFormatException("area", $"{main.Label} has no area: a case needs a circle, \"lat,lon radius_km\"");
            throw new CapFormatException("circle",
                $"{main.Label} gives its area only as {polygons} polygon(s) and {main.Areas.Sum(a => a.Geocodes)} geocode(s): a case needs a circle, \"lat,lon radius_km\"; "
                + "none is derived, since a circle around a polygon or a named region would alert people outside it (or one inside would miss people in it)");
        }

        if (circles.Count > 1)
            throw new CapFormatException("circle", $"{main.Label} has {circles.Count} circles in {main.Areas.Count} area(s): a case alerts exactly one circle");
        if (polygons > 0)
            throw new CapFormatException("polygon", $"{main.Label} has {polygons} polygon(s) beside its circle: a case alerts exactly one circle, so the area would be cut short");
        var circle = CapCircle.Parse(circles[0]);
        foreach (var other in infos.Where(i => i != main && i.Areas.Count > 0))
        {
            var theirs = other.Areas.SelectMany(a => a.Circles).ToList();
            if (theirs.Count != 1 || other.Areas.Sum(a => a.Polygons) > 0 || CapCircle.Parse(theirs[0]) != circle)
                throw new CapFormatException("area", $"{other.Label} describes another area than {main.Label}: every language must give the same one circle (or no area)");
        }

        return circle;
    }

    private static Dictionary<string, List<string>> Parameters(CapInfo info)
    {
        var known = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var parameter in info.Parameters.Where(p => CapParameters.All.Contains(p.ValueName)))
        {
            if (!known.TryGetValue(parameter.ValueName, out var values)) known[parameter.ValueName] = values = [];
            values.Add(parameter.Value.Trim());
        }

        return known;
    }

    private static string? One(Dictionary<string, List<string>> parameters, string name, CapInfo info) => parameters.GetValueOrDefault(name) switch
    {
        null => null,
        [var value] => value.Length > 0 ? value : null,
        var values => throw new CapFormatException("parameter", $"{name} appears {values.Count} times in {info.Label}; give it once"),
    };

    private static MissingChild? Child(CapInfo info, Dictionary<string, List<string>> parameters)
    {
        var photo = One(parameters, CapParameters.PhotoUrl, info) ?? info.Resources.FirstOrDefault(r => r.IsImage)?.Uri;
        string[] details = [CapParameters.ChildAge, CapParameters.ChildSex, CapParameters.ChildHeightCm, CapParameters.Clothing, CapParameters.Appearance];
        if (One(parameters, CapParameters.ChildName, info) is not { } name)
        {
            if (details.Any(parameters.ContainsKey) || photo is not null)
                throw new CapFormatException("parameter", $"{CapParameters.ChildName} is missing in {info.Label}, but other details of the child are given");
            return null;
        }

        return new MissingChild(
            name,
            Whole(One(parameters, CapParameters.ChildAge, info), CapParameters.ChildAge),
            Sex(One(parameters, CapParameters.ChildSex, info)),
            Whole(One(parameters, CapParameters.ChildHeightCm, info), CapParameters.ChildHeightCm),
            One(parameters, CapParameters.Clothing, info),
            One(parameters, CapParameters.Appearance, info),
            photo);
    }

    private static int? Whole(string? text, string name) =>
        text is null ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new CapFormatException("parameter", $"{name} \"{text}\" is not a whole number");

    private static ChildSex Sex(string? text) => text?.ToLowerInvariant() switch
    {
        null or "unknown" => ChildSex.Unknown,
        "female" or "f" => ChildSex.Female,
        "male" or "m" => ChildSex.Male,
        _ => throw new CapFormatException("parameter", $"{CapParameters.ChildSex} \"{text}\" is not female, male or unknown"),
    };

    private static WideningRing Ring(string text)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var minutes)
            && double.TryParse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var km)
            && minutes is > 0 and < 1e6 && km is > 0 and < 1e5)
            return new WideningRing(TimeSpan.FromMinutes(minutes), km * 1000);
        throw new CapFormatException("parameter", $"{CapParameters.Ring} \"{text}\" is not \"minutes_after_approval radius_km\" with both positive, e.g. \"60 200\"");
    }
}
