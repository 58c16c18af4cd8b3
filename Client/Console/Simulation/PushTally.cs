using System.Collections.Concurrent;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>Counts the pushes the simulated devices receive, per case: batches, users, and any user pushed twice for one case.</summary>
public sealed class PushTally
{
    private readonly ConcurrentDictionary<string, CaseTally> _cases = new();

    /// <summary>Records one batch handed to the app.</summary>
    public void Add(PushBatch batch) => _cases.GetOrAdd(batch.CaseId, _ => new CaseTally()).Add(batch);

    /// <summary>The figures so far, by case id.</summary>
    public List<CasePushes> Snapshot() => _cases.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value.Snapshot(c.Key)).ToList();

    private sealed class CaseTally
    {
        private readonly HashSet<long> _users = [];
        private long _batches;
        private long _pushes;

        public void Add(PushBatch batch)
        {
            // Batches of one case may arrive on several threads; the set is the only shared state.
            lock (_users)
            {
                _batches++;
                _pushes += batch.UserIds.Count;
                foreach (var user in batch.UserIds) _users.Add(user);
            }
        }

        public CasePushes Snapshot(string caseId)
        {
            lock (_users) return new CasePushes(caseId, _batches, _pushes, _users.Count, _pushes - _users.Count);
        }
    }
}

/// <summary>One case's pushes as the devices saw them; <see cref="Repeated"/> counts users pushed more than once (should be 0).</summary>
public sealed record CasePushes(string CaseId, long Batches, long Pushes, long Users, long Repeated);
