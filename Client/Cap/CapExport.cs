using System.Text;
using System.Xml;
using System.Xml.Linq;
using Alerts.GrainInterfaces;

namespace Alerts.Client.Cap;

/// <summary>
/// Writes a case as CAP 1.2 (README "CAP 1.2"): its alert (msgType Alert), or one of its notices as Update (update,
/// resolved) or Cancel (cancelled) referring to the alert; status Draft until the case is approved, then Exercise for
/// drills and Actual for live cases; one info block per language.
/// </summary>
public static class CapExport
{
    /// <summary>The CAP <c>event</c> of every info block.</summary>
    public const string Event = "Missing child";

    /// <summary>The alert of <paramref name="record"/>, or its notice <paramref name="noticeNumber"/> (unknown: <see cref="KeyNotFoundException"/>).</summary>
    public static XDocument ToXml(CaseRecord record, int? noticeNumber = null, string sender = CapIdentifiers.DefaultSender)
    {
        CapIdentifiers.CheckSender(sender);
        var notice = noticeNumber is { } number
            ? record.Notices.FirstOrDefault(n => n.Number == number)
              ?? throw new KeyNotFoundException($"case {record.CaseId} has no notice {number} (its notices: {(record.Notices.Count == 0 ? "none" : string.Join(", ", record.Notices.Select(n => n.Number)))})")
            : null;
        var kind = notice?.Kind ?? NoticeKind.Alert;
        var alertIdentifier = CapIdentifiers.Alert(record.CaseId);
        return new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(CapAlert.Cap("alert"),
                Element("identifier", notice is null ? alertIdentifier : CapIdentifiers.Notice(record.CaseId, notice.Number)),
                Element("sender", sender),
                Element("sent", CapDateTime.Format(notice?.IssuedAt ?? record.FiledAt)),
                Element("status", Status(record)),
                Element("msgType", kind switch { NoticeKind.Alert => "Alert", NoticeKind.Cancelled => "Cancel", _ => "Update" }),
                Element("scope", "Public"),
                kind == NoticeKind.Cancelled && record.ClosingReason is { } reason ? Element("note", reason) : null,
                notice is null ? null : Element("references", CapIdentifiers.Reference(sender, alertIdentifier, record.FiledAt)),
                Infos(record, notice, kind)));
    }

    /// <summary>
    /// The CAP status of <paramref name="record"/>: Draft ("not actionable in its current form") while no second admin has
    /// approved it, so a downstream CAP distributor cannot send what the two-person rule has not let out; then Exercise
    /// for a drill, Actual for a live case.
    /// </summary>
    public static string Status(CaseRecord record) =>
        record.ApprovedAt is null ? "Draft" : record.Definition.Exercise ? "Exercise" : "Actual";

    /// <summary>The document as UTF-8 bytes, indented, with its XML declaration.</summary>
    public static byte[] ToBytes(XDocument document)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            document.Save(writer);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    // Alert: the message in the case's language, then each translation. A notice exists in one language, so an update
    // is one block; a cancellation also carries each translation's prepared correction.
    private static IEnumerable<XElement> Infos(CaseRecord record, CaseNotice? notice, NoticeKind kind)
    {
        var definition = record.Definition;
        if (notice is null)
        {
            yield return Info(record, kind, definition.Language, definition.Message, Details(definition).Append(Parameter(CapParameters.Correction, definition.Correction)));
            foreach (var translation in definition.Translations)
                yield return Info(record, kind, translation.Language, translation.Message, [Parameter(CapParameters.Correction, translation.Correction)]);
            yield break;
        }

        yield return Info(record, kind, definition.Language, notice.Message, []);
        if (kind != NoticeKind.Cancelled) yield break;
        foreach (var translation in definition.Translations.Where(t => t.Correction is not null))
            yield return Info(record, kind, translation.Language, translation.Correction!, []);
    }

    private static XElement Info(CaseRecord record, NoticeKind kind, string language, string message, IEnumerable<XElement?> parameters)
    {
        var definition = record.Definition;
        var live = kind is NoticeKind.Alert or NoticeKind.Update;
        var radiusKm = record.RadiusMeters / 1000;
        return new XElement(CapAlert.Cap("info"),
            Element("language", language),
            Element("category", "Rescue"),
            Element("event", Event),
            Element("responseType", kind switch { NoticeKind.Resolved => "AllClear", NoticeKind.Cancelled => "None", _ => "Monitor" }),
            // A missing child is an immediate, severe threat the police have confirmed as likely; a closed case is past.
            Element("urgency", live ? "Immediate" : "Past"),
            Element("severity", live ? "Severe" : "Minor"),
            Element("certainty", live ? "Likely" : "Observed"),
            live && record.ActiveUntil is { } until ? Element("expires", CapDateTime.Format(until)) : null,
            Element("headline", Headline(kind, language, definition.Child?.Name)),
            Element("description", message),
            Element("web", definition.Link),
            definition.ContactPhone is { } phone ? Element("contact", phone) : null,
            parameters,
            new XElement(CapAlert.Cap("area"),
                Element("areaDesc", $"{CapDecimal.Format(radiusKm)} km around {definition.LastSeenPlace ?? $"{CapDecimal.Format(definition.Latitude)},{CapDecimal.Format(definition.Longitude)}"}"),
                Element("circle", new CapCircle(definition.Latitude, definition.Longitude, radiusKm).ToString())));
    }

    private static IEnumerable<XElement?> Details(CaseDefinition definition)
    {
        var child = definition.Child;
        yield return Parameter(CapParameters.ChildName, child?.Name);
        yield return Parameter(CapParameters.ChildAge, child?.Age?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return Parameter(CapParameters.ChildSex, child?.Sex is ChildSex.Female or ChildSex.Male ? child.Sex.ToString().ToLowerInvariant() : null);
        yield return Parameter(CapParameters.ChildHeightCm, child?.HeightCm?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return Parameter(CapParameters.Clothing, child?.Clothing);
        yield return Parameter(CapParameters.Appearance, child?.Appearance);
        yield return Parameter(CapParameters.PhotoUrl, child?.PhotoUrl);
        yield return Parameter(CapParameters.LastSeenAt, definition.LastSeenAt is { } seen ? XmlConvert.ToString(seen) : null);
        yield return Parameter(CapParameters.LastSeenPlace, definition.LastSeenPlace);
        yield return Parameter(CapParameters.PoliceReference, definition.PoliceReference);
        foreach (var ring in definition.Rings)
            yield return Parameter(CapParameters.Ring, $"{CapDecimal.Format(ring.After.TotalMinutes)} {CapDecimal.Format(ring.RadiusMeters / 1000)}");
    }

    private static string Headline(NoticeKind kind, string language, string? name)
    {
        var (en, hans, hant) = kind switch
        {
            NoticeKind.Update => ("Update, missing child", "走失儿童更新", "走失兒童更新"),
            NoticeKind.Resolved => ("Found, missing child", "走失儿童已找到", "走失兒童已找到"),
            NoticeKind.Cancelled => ("Cancelled, missing child alert", "走失儿童警报已取消", "走失兒童警報已取消"),
            _ => ("Missing child", "走失儿童", "走失兒童"),
        };
        var title = language switch { "zh-CN" => hans, "zh-TW" => hant, _ => en };
        return name is null ? title : $"{title}: {name}";
    }

    private static XElement? Parameter(string name, string? value) =>
        value is null ? null : new XElement(CapAlert.Cap("parameter"), Element("valueName", name), Element("value", value));

    private static XElement Element(string name, string value) => new(CapAlert.Cap(name), value);
}
