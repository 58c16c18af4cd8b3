namespace Alerts.GrainInterfaces;

/// <summary>The request-context keys under which the silo's call filter passes the checked caller on to the grain (and the grains it calls).</summary>
public static class CallerHeader
{
    /// <summary>The signed-in client's name.</summary>
    public const string Name = "alerts-caller";

    /// <summary>Its roles, comma-separated.</summary>
    public const string Roles = "alerts-caller-roles";
}
