namespace Alerts.Client.Cap;

/// <summary>
/// Identifiers and references, deterministic so that exports line up: the alert of case <c>c</c> is <c>c</c>, its notice
/// <c>n</c> is <c>c:notice:n</c> (a colon never occurs in a case id, so no case's alert collides with another's notice).
/// </summary>
public static class CapIdentifiers
{
    /// <summary>The <c>sender</c> exports name unless told otherwise.</summary>
    public const string DefaultSender = "alerts";

    /// <summary>The longest case id.</summary>
    public const int MaxCaseIdLength = 64;

    /// <summary>The identifier of a case's alert.</summary>
    public static string Alert(string caseId) => caseId;

    /// <summary>The identifier of a case's notice <paramref name="number"/>.</summary>
    public static string Notice(string caseId, int number) => $"{caseId}:notice:{number}";

    /// <summary>One CAP reference, "sender,identifier,sent".</summary>
    public static string Reference(string sender, string identifier, DateTimeOffset sent) => $"{sender},{identifier},{CapDateTime.Format(sent)}";

    /// <summary>Refuses a sender CAP does not allow (empty, or with spaces, commas, '&lt;' or '&amp;').</summary>
    public static string CheckSender(string sender)
    {
        if (sender.Length == 0 || sender.Any(c => char.IsWhiteSpace(c) || c is ',' or '<' or '&'))
            throw new ArgumentException($"sender \"{sender}\" is invalid: CAP senders have no spaces, commas, '<' or '&'", nameof(sender));
        return sender;
    }

    /// <summary>True for 1–64 letters, digits, '-' or '_'.</summary>
    public static bool IsCaseId(string caseId) =>
        caseId.Length is > 0 and <= MaxCaseIdLength && caseId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// A case id made from a CAP identifier: every other character becomes '-', runs of '-' collapse, '-' is trimmed
    /// from both ends, and an id longer than 64 keeps its last 64 characters (OID-style identifiers differ at the end).
    /// Null when nothing is left (an identifier without letters, digits or '_').
    /// </summary>
    public static string? ToCaseId(string identifier)
    {
        var mapped = new string([.. identifier.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' ? c : '-')]);
        while (mapped.Contains("--", StringComparison.Ordinal)) mapped = mapped.Replace("--", "-", StringComparison.Ordinal);
        var id = mapped.Trim('-');
        if (id.Length > MaxCaseIdLength) id = id[^MaxCaseIdLength..].TrimStart('-');
        return id.Length > 0 ? id : null;
    }
}
