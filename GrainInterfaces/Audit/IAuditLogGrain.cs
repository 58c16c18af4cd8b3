namespace Alerts.GrainInterfaces;

/// <summary>The audit log of admin actions, read-only for everyone: nothing alters or deletes it (a stateless worker: call any key).</summary>
[Alias("alerts.audit-log")]
[RequiresRole(Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin, Roles.Operator)]
public interface IAuditLogGrain : IGrainWithIntegerKey
{
    /// <summary>Entries after <paramref name="afterSequence"/> in order, optionally only about one subject (a case id, "user:42"); at most <paramref name="limit"/> (1–10,000).</summary>
    [ReadOnly, Alias("Read")]
    Task<List<AuditEntry>> Read(string? subject, long afterSequence, int limit);
}
