using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>One audit log entry as it is written, naming its actor when the action is made: a row written again later still names who acted.</summary>
/// <remarks>
/// A row with a <see cref="Key"/> is written once however often it is sent (the column <c>audit_log.entry_key</c> is
/// unique): a case keeps its rows owed in its grain state until written, and a silo that dies between the two writes
/// leaves the next activation to send them again.
/// </remarks>
[GenerateSerializer, Immutable, Alias("alerts.AuditRow")]
public sealed record AuditRow(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Actor,
    [property: Id(2)] string Roles,
    [property: Id(3)] string Action,
    [property: Id(4)] string Subject,
    [property: Id(5)] string? StateBefore,
    [property: Id(6)] string? StateAfter,
    [property: Id(7)] string? Detail,
    [property: Id(8)] string? Key = null)
{
    /// <summary>An entry for an action of the current grain call's caller (the silo when nobody signed in made it).</summary>
    public static AuditRow OfCaller(DateTimeOffset at, string action, string subject, string? stateBefore, string? stateAfter, string? detail = null) =>
        new(at, Caller.Name ?? Caller.Silo, string.Join(',', Caller.Roles), action, subject, stateBefore, stateAfter, detail);
}
