using Alerts.GrainInterfaces;

namespace Alerts.Client.Cap;

/// <summary>
/// A CAP Update or Cancel for a case already filed (the case its first reference names): an Update is a new message
/// (<see cref="NoticeKind.Update"/>), an Update whose response type is AllClear closes the case as found
/// (<see cref="NoticeKind.Resolved"/>), a Cancel withdraws it (<see cref="NoticeKind.Cancelled"/>, <see cref="Text"/> is the reason).
/// <see cref="TextSource"/> is the CAP element the text came from, so a refusal of it by the case can name that element.
/// </summary>
public sealed record CapFollowUp(string CaseId, NoticeKind Kind, string Text, string TextSource, bool Exercise, string Identifier, string Sender, DateTimeOffset Sent)
{
    /// <summary>The parameter of <see cref="ICaseGrain"/> that takes <see cref="Text"/>: the field a refusal of it names.</summary>
    public string TextField => Kind switch { NoticeKind.Update => "message", NoticeKind.Resolved => "closingMessage", _ => "reason" };

    /// <summary>The CAP element a case field refused on applying this follow-up came from (<see cref="TextSource"/> for its text), or null.</summary>
    public string? SourceOf(string? field) => field == TextField ? TextSource : null;

    /// <summary>The case an Update or Cancel refers to: its first reference's identifier as a case id (what <c>case export</c> writes).</summary>
    public static string TargetOf(CapAlert alert)
    {
        if (alert.MsgType is not ("Update" or "Cancel")) throw new CapFormatException("msgType", $"{alert.MsgType} is not an Update or Cancel");
        var first = (alert.References ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
            ?? throw new CapFormatException("references", $"an {alert.MsgType} must name the alert it follows (\"sender,identifier,sent\"), or give the case with --case-id");
        var parts = first.Split(',');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
            throw new CapFormatException("references", $"\"{first}\" is not \"sender,identifier,sent\"");
        return CapIdentifiers.ToCaseId(parts[1]) ?? throw new CapFormatException("references", $"\"{parts[1]}\" makes no case id; give the case with --case-id");
    }

    /// <summary>
    /// Maps <paramref name="alert"/> to what case <paramref name="caseId"/> should do; the text comes from the info block
    /// in the case's language (<paramref name="caseLanguage"/>), as a case sends a notice in its own language only.
    /// </summary>
    public static CapFollowUp From(CapAlert alert, string caseId, string caseLanguage)
    {
        var exercise = CapImport.IsExercise(alert);
        var info = alert.Infos.FirstOrDefault(i => CapLanguages.ToCase(i.Language) == caseLanguage);
        if (alert.MsgType == "Cancel")
        {
            // The case sends the correction prepared when it was filed; the CAP note (else the text) is the reason.
            var (reason, source) = alert.Note is { } note ? (note, "<note>")
                : info is not null ? (CapImport.Message(info), CapFields.SourceOf("message")!)
                : ($"cancelled by CAP {alert.Identifier} from {alert.Sender}", "<identifier> and <sender>");
            return new CapFollowUp(caseId, NoticeKind.Cancelled, reason, source, exercise, alert.Identifier, alert.Sender, alert.Sent);
        }

        if (alert.MsgType != "Update") throw new CapFormatException("msgType", $"{alert.MsgType} is not an Update or Cancel");
        if (info is null)
            throw new CapFormatException("info", $"the Update has no {caseLanguage} block, the language of case {caseId} (it has: {string.Join(", ", alert.Infos.Select(i => i.Language))})");
        var kind = info.ResponseTypes.Contains("AllClear") ? NoticeKind.Resolved : NoticeKind.Update;
        return new CapFollowUp(caseId, kind, CapImport.Message(info), CapFields.SourceOf("message")!, exercise, alert.Identifier, alert.Sender, alert.Sent);
    }
}
