namespace Alerts.GrainInterfaces;

/// <summary>The roles a signed-in client may hold; grain interfaces name which may call them.</summary>
public static class Roles
{
    /// <summary>The mobile gateway: reports locations, receives and acknowledges pushes.</summary>
    public const string Gateway = "gateway";

    /// <summary>Alert admins: open, dispatch, widen and close cases.</summary>
    public const string Admin = "admin";

    /// <summary>Operators: create and revoke client credentials.</summary>
    public const string Operator = "operator";

    /// <summary>Every role a client credential may be granted.</summary>
    public static IReadOnlyList<string> All { get; } = [Gateway, Admin, Operator];
}
