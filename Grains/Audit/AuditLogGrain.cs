using Alerts.GrainInterfaces;
using Orleans.Concurrency;

namespace Alerts.Grains;

/// <summary>Reads the audit log for admins and operators.</summary>
[StatelessWorker]
public sealed class AuditLogGrain(AuditStore store) : Grain, IAuditLogGrain
{
    /// <summary>Most entries one read returns.</summary>
    public const int MaxLimit = 10_000;

    public Task<List<AuditEntry>> Read(string? subject, long afterSequence, int limit)
    {
        if (limit is < 1 or > MaxLimit) throw new ArgumentException($"limit {limit} must be within [1, {MaxLimit}]", nameof(limit));
        if (afterSequence < 0) throw new ArgumentException($"afterSequence {afterSequence} must not be negative", nameof(afterSequence));
        return store.ReadAsync(string.IsNullOrEmpty(subject) ? null : subject, afterSequence, limit);
    }
}
