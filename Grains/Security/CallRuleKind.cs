namespace Alerts.Grains;

/// <summary>What kind of client may call a grain interface method.</summary>
public enum CallRuleKind
{
    /// <summary>No rule found: every client call is refused, so a new interface is closed until someone decides.</summary>
    Closed,

    /// <summary>Only grains may call it (<see cref="Alerts.GrainInterfaces.SiloOnlyAttribute"/>).</summary>
    SiloOnly,

    /// <summary>Any client, without a token (<see cref="Alerts.GrainInterfaces.AllowAnonymousAttribute"/>).</summary>
    Anonymous,

    /// <summary>A client whose token carries one of the rule's roles (<see cref="Alerts.GrainInterfaces.RequiresRoleAttribute"/>).</summary>
    Roles,

    /// <summary>Orleans plumbing the client runtime itself calls (cluster manifest, call cancellation).</summary>
    OrleansClientPlumbing,
}
