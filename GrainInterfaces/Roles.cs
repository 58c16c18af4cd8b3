namespace Alerts.GrainInterfaces;

/// <summary>The roles a signed-in client may hold; grain interfaces name which may call them.</summary>
public static class Roles
{
    /// <summary>The mobile gateway: reports locations and engagement, receives and acknowledges pushes.</summary>
    public const string Gateway = "gateway";

    /// <summary>Police liaison: files cases, submits, updates and cancels them, and reads them.</summary>
    public const string Liaison = "liaison";

    /// <summary>Approver: approves (or sends back), widens, resolves and extends cases, and reads them.</summary>
    public const string Approver = "approver";

    /// <summary>Viewer: reads cases, their engagement, the statistics and the audit log.</summary>
    public const string Viewer = "viewer";

    /// <summary>
    /// Admin: liaison, approver and viewer in one credential, for teams too small to split them (the two-person rule
    /// still holds: an admin never approves a case they filed). Also makes privacy requests for a user.
    /// </summary>
    public const string Admin = "admin";

    /// <summary>Operators: create and revoke client credentials, read the audit log.</summary>
    public const string Operator = "operator";

    /// <summary>Every role a client credential may be granted.</summary>
    public static IReadOnlyList<string> All { get; } = [Gateway, Liaison, Approver, Viewer, Admin, Operator];
}
