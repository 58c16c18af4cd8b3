using System.Collections.Concurrent;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>
/// Counts the pushes the simulated devices receive, per case and kind (the alert, then any update, closing message or
/// correction): batches, users, and any user pushed twice with the same kind for one case.
/// </summary>
public sealed class PushTally
{
    private readonly ConcurrentDictionary<(string CaseId, NoticeKind Kind), CaseTally> _cases = new();

    /// <summary>Records one batch handed to the app.</summary>
    public void Add(PushBatch batch) => _cases.GetOrAdd((batch.CaseId, batch.Payload.Kind), _ => new CaseTally()).Add(batch);

    /// <summary>The figures so far, by case id, then kind.</summary>
    public List<CasePushes> Snapshot() => _cases.OrderBy(c => c.Key.CaseId, StringComparer.Ordinal).ThenBy(c => c.Key.Kind)
        .Select(c => c.Value.Snapshot(c.Key.CaseId, c.Key.Kind)).ToList();

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

        public CasePushes Snapshot(string caseId, NoticeKind kind)
        {
            lock (_users) return new CasePushes(caseId, kind.ToString().ToLowerInvariant(), _batches, _pushes, _users.Count, _pushes - _users.Count);
        }
    }
}

/// <summary>One case's pushes of one kind as the devices saw them; <see cref="Repeated"/> counts users pushed it more than once (should be 0).</summary>
public sealed record CasePushes(string CaseId, string Kind, long Batches, long Pushes, long Users, long Repeated);
