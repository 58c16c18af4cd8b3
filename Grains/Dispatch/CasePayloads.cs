using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>What each push of a case says: the alert, an update, the closing message or the correction; a drill's is marked as a test.</summary>
public static class CasePayloads
{
    /// <summary>The alert (or, after an update, the current message) for users reached now.</summary>
    public static AlertPayload Alert(string caseId, CaseDefinition definition, string message) => For(caseId, definition, NoticeKind.Alert, message);

    /// <summary>A push of the given kind with the case's language and drill marking.</summary>
    public static AlertPayload For(string caseId, CaseDefinition definition, NoticeKind kind, string message) =>
        new(caseId, definition.Exercise ? TestMark(definition.Language) + message : message, definition.Link, kind, definition.Exercise, definition.Language);

    /// <summary>The closing message sent when an admin resolves a case without writing one.</summary>
    public static string DefaultClosingMessage(string language) => language.StartsWith("zh", StringComparison.Ordinal)
        ? "孩子已找到，感谢您的关注与转发。"
        : "The child has been found. Thank you for looking and sharing.";

    // A drill's text says so before anything else: a tester must never take it for a real child.
    private static string TestMark(string language) => language.StartsWith("zh", StringComparison.Ordinal) ? "【演习】" : "[EXERCISE] ";
}
