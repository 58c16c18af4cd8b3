using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>Lists cases from the status index every case keeps in the product's tables.</summary>
[StatelessWorker]
public sealed class CaseIndexGrain(CaseStore store) : Grain, ICaseIndexGrain
{
    private const int MaxLimit = 10_000;

    public Task<List<CaseSummary>> List(CaseStatus? status, int limit)
    {
        if (limit is < 1 or > MaxLimit) throw new ArgumentException($"limit {limit} is invalid: must be within [1, {MaxLimit}]", nameof(limit));
        if (status is { } s && !Enum.IsDefined(s)) throw new ArgumentException($"status {(int)s} is not a case status", nameof(status));
        return store.ListCasesAsync(status, limit);
    }
}
