using Alerts.GrainInterfaces;
using Dapper;

namespace Alerts.Grains;

/// <summary>The append-only audit log table: the product inserts and reads; the database refuses updates and deletes.</summary>
public sealed class AuditStore(StoreEngine engine)
{
    /// <summary>Appends one action, stamped with the caller of the current grain call.</summary>
    public Task AppendAsync(DateTimeOffset at, string action, string subject, string? stateBefore, string? stateAfter, string? detail = null) =>
        AppendAsync(AuditRow.OfCaller(at, action, subject, stateBefore, stateAfter, detail));

    /// <summary>
    /// Appends one entry as it was made; false when its <see cref="AuditRow.Key"/> is in the log already (a row sent
    /// again after a crash: the log keeps the first), true when written now or when it has no key.
    /// </summary>
    public async Task<bool> AppendAsync(AuditRow row)
    {
        await using var connection = await engine.OpenAsync();
        // Rows without a key (NULL) never conflict: both engines' unique indexes let any number of NULLs in.
        return await connection.ExecuteAsync(
            "INSERT INTO audit_log (at_ms, actor, roles, action, subject, state_before, state_after, detail, entry_key) VALUES (@atMs, @actor, @roles, @action, @subject, @stateBefore, @stateAfter, @detail, @key) ON CONFLICT (entry_key) DO NOTHING",
            new { atMs = row.At.ToUnixTimeMilliseconds(), actor = row.Actor, roles = row.Roles, action = row.Action, subject = row.Subject, stateBefore = row.StateBefore, stateAfter = row.StateAfter, detail = row.Detail, key = row.Key }) == 1;
    }

    /// <summary>Entries after a sequence number, in order, optionally about one subject.</summary>
    public async Task<List<AuditEntry>> ReadAsync(string? subject, long afterSequence, int limit)
    {
        await using var connection = await engine.OpenAsync();
        var where = subject is null ? "seq > @afterSequence" : "subject = @subject AND seq > @afterSequence";
        var rows = await connection.QueryAsync<(long Seq, long AtMs, string Actor, string Roles, string Action, string Subject, string? StateBefore, string? StateAfter, string? Detail)>(
            $"SELECT seq, at_ms, actor, roles, action, subject, state_before, state_after, detail FROM audit_log WHERE {where} ORDER BY seq LIMIT @limit",
            new { subject, afterSequence, limit });
        return rows.Select(r => new AuditEntry(r.Seq, DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs), r.Actor, r.Roles, r.Action, r.Subject, r.StateBefore, r.StateAfter, r.Detail)).ToList();
    }
}
