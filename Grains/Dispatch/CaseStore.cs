using System.Text.Json;
using Alerts.GrainInterfaces;
using Dapper;

namespace Alerts.Grains;

/// <summary>A case's recipients, its push batches and the index of cases by status.</summary>
public sealed class CaseStore(StoreEngine engine)
{
    /// <summary>
    /// Records the candidates not yet pushed for the case and writes their push batches to the outbox,
    /// in one transaction: a user can enter a case's recipients once, so a repeated step pushes nobody twice.
    /// Batches keep the candidates' order (nearest first).
    /// </summary>
    public async Task<List<PushBatch>> RecordRecipientsAsync(string caseId, AlertPayload payload, IReadOnlyList<long> candidates, int batchSize, DateTimeOffset now)
    {
        if (candidates.Count == 0) return [];
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var ids = JsonSerializer.Serialize(candidates);
        var nowMs = now.ToUnixTimeMilliseconds();
        var inserted = (await connection.QueryAsync<long>(engine.InsertNewRecipients, new { caseId, nowMs, ids }, transaction)).ToHashSet();
        var fresh = candidates.Where(inserted.Remove).ToList();
        var batches = new List<PushBatch>();
        if (fresh.Count > 0)
        {
            var chunks = fresh.Chunk(batchSize).ToList();
            var last = await connection.ExecuteScalarAsync<long>("UPDATE meta SET value = value + @n WHERE key = 'batch_seq' RETURNING value", new { n = chunks.Count }, transaction);
            var first = last - chunks.Count + 1;
            var payloadJson = JsonSerializer.Serialize(payload, PayloadJson.Options);
            for (var i = 0; i < chunks.Count; i++) batches.Add(new PushBatch(first + i, caseId, chunks[i].ToList(), payload));
            await connection.ExecuteAsync("INSERT INTO push_outbox (batch_id, case_id, user_ids, payload, created_ms) VALUES (@BatchId, @CaseId, @UserIds, @Payload, @NowMs)",
                batches.Select(b => new { b.BatchId, b.CaseId, UserIds = OutboxStore.FormatIds(b.UserIds), Payload = payloadJson, NowMs = nowMs }), transaction);
        }

        await transaction.CommitAsync();
        return batches;
    }

    /// <summary>The candidates not yet among the case's recipients, in their order (a read: nothing is recorded).</summary>
    public async Task<List<long>> NotYetRecordedAsync(string caseId, IReadOnlyList<long> candidates)
    {
        if (candidates.Count == 0) return [];
        await using var connection = await engine.OpenAsync();
        var ids = candidates.Distinct().ToArray();
        var recorded = (await connection.QueryAsync<long>($"SELECT user_id FROM case_recipients WHERE case_id = @caseId AND {engine.AnyOf("user_id", "ids")}", new { caseId, ids })).ToHashSet();
        return candidates.Where(id => !recorded.Contains(id)).ToList();
    }

    /// <summary>Users pushed for a case so far.</summary>
    public async Task<long> CountRecipientsAsync(string caseId)
    {
        await using var connection = await engine.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM case_recipients WHERE case_id = @caseId", new { caseId });
    }

    /// <summary>Users pushed for a case (tests and audits).</summary>
    public async Task<List<long>> LoadRecipientsAsync(string caseId)
    {
        await using var connection = await engine.OpenAsync();
        return (await connection.QueryAsync<long>("SELECT user_id FROM case_recipients WHERE case_id = @caseId", new { caseId })).ToList();
    }

    /// <summary>Indexes a case's status for listing and recovery.</summary>
    public async Task SetCaseStatusAsync(string caseId, CaseStatus status, DateTimeOffset now)
    {
        await using var connection = await engine.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO cases (case_id, status, updated_ms) VALUES (@caseId, @status, @nowMs) ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, updated_ms = excluded.updated_ms",
            new { caseId, status = status.ToString(), nowMs = now.ToUnixTimeMilliseconds() });
    }

    /// <summary>Cases in any of the given states.</summary>
    public async Task<List<string>> CasesInAsync(params CaseStatus[] statuses)
    {
        await using var connection = await engine.OpenAsync();
        var names = statuses.Select(s => s.ToString()).ToArray();
        return (await connection.QueryAsync<string>($"SELECT case_id FROM cases WHERE {engine.AnyOf("status", "names")}", new { names })).ToList();
    }

    /// <summary>The most recently changed cases first, optionally only those in one state.</summary>
    public async Task<List<CaseSummary>> ListCasesAsync(CaseStatus? status, int limit)
    {
        await using var connection = await engine.OpenAsync();
        var where = status is null ? "" : "WHERE status = @status";
        var rows = await connection.QueryAsync<(string CaseId, string Status, long UpdatedMs)>(
            $"SELECT case_id, status, updated_ms FROM cases {where} ORDER BY updated_ms DESC, case_id LIMIT @limit", new { status = status?.ToString(), limit });
        return rows.Select(r => new CaseSummary(r.CaseId, Enum.Parse<CaseStatus>(r.Status), DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedMs))).ToList();
    }

    /// <summary>How many cases are in each state.</summary>
    public async Task<Dictionary<CaseStatus, int>> CountCasesAsync()
    {
        await using var connection = await engine.OpenAsync();
        var rows = await connection.QueryAsync<(string Status, long Count)>("SELECT status, COUNT(*) FROM cases GROUP BY status");
        return rows.ToDictionary(r => Enum.Parse<CaseStatus>(r.Status), r => (int)r.Count);
    }
}
