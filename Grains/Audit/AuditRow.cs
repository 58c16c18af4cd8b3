using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>One audit log entry as it is written, naming its actor when the action is made: a row written again later still names who acted.</summary>
public sealed record AuditRow(DateTimeOffset At, string Actor, string Roles, string Action, string Subject, string? StateBefore, string? StateAfter, string? Detail)
{
    /// <summary>An entry for an action of the current grain call's caller (the silo when nobody signed in made it).</summary>
    public static AuditRow OfCaller(DateTimeOffset at, string action, string subject, string? stateBefore, string? stateAfter, string? detail = null) =>
        new(at, Caller.Name ?? Caller.Silo, string.Join(',', Caller.Roles), action, subject, stateBefore, stateAfter, detail);
}
