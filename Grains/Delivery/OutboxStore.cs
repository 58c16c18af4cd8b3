using System.Globalization;
using System.Text.Json;
using Alerts.GrainInterfaces;
using Dapper;

namespace Alerts.Grains;

/// <summary>The push outbox: batches written with their recipients, kept until a gateway acknowledges them.</summary>
public sealed class OutboxStore(StoreEngine engine)
{
    /// <summary>Every batch not yet acknowledged, in order; or only the given ones.</summary>
    public async Task<List<PushBatch>> LoadOutboxAsync(IReadOnlyCollection<long>? batchIds = null)
    {
        await using var connection = await engine.OpenAsync();
        var rows = new List<(long BatchId, string CaseId, string UserIds, string Payload)>();
        const string Select = "SELECT batch_id, case_id, user_ids, payload FROM push_outbox";
        if (batchIds is null) rows.AddRange(await connection.QueryAsync<(long, string, string, string)>(Select + " ORDER BY batch_id"));
        else
            foreach (var chunk in batchIds.Chunk(900))
                rows.AddRange(await connection.QueryAsync<(long, string, string, string)>($"{Select} WHERE {engine.AnyOf("batch_id", "chunk")} ORDER BY batch_id", new { chunk }));
        return rows.Select(r => new PushBatch(r.BatchId, r.CaseId, ParseIds(r.UserIds), JsonSerializer.Deserialize<AlertPayload>(r.Payload, PayloadJson.Options)!)).ToList();
    }

    /// <summary>
    /// The highest batch id any hub activation may have handed to a gateway (0 when none has): recorded before the hand-over,
    /// so it outlives the activation that handed the batch.
    /// </summary>
    public async Task<long> LoadHandedThroughAsync()
    {
        await using var connection = await engine.OpenAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT value FROM meta WHERE key = 'outbox_handed_through'") ?? 0;
    }

    /// <summary>Records that batches up to <paramref name="batchId"/> may be handed out; never lowers the mark.</summary>
    public async Task SaveHandedThroughAsync(long batchId)
    {
        await using var connection = await engine.OpenAsync();
        await connection.ExecuteAsync(
            "INSERT INTO meta (key, value) VALUES ('outbox_handed_through', @batchId) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value < excluded.value",
            new { batchId });
    }

    /// <summary>The ids of every batch not yet acknowledged that was written at or before <paramref name="writtenBy"/>.</summary>
    public async Task<List<long>> LoadOutboxIdsAsync(DateTimeOffset writtenBy)
    {
        await using var connection = await engine.OpenAsync();
        return (await connection.QueryAsync<long>("SELECT batch_id FROM push_outbox WHERE created_ms <= @by", new { by = writtenBy.ToUnixTimeMilliseconds() })).ToList();
    }

    /// <summary>The ids of a case's batches not yet acknowledged.</summary>
    public async Task<List<long>> LoadCaseBatchIdsAsync(string caseId)
    {
        await using var connection = await engine.OpenAsync();
        return (await connection.QueryAsync<long>("SELECT batch_id FROM push_outbox WHERE case_id = @caseId", new { caseId })).ToList();
    }

    /// <summary>
    /// Deletes a case's withdrawn batches and, in the same transaction, the recipient rows of the users of its alert
    /// batches (they were never reached, so no correction is owed them); returns how many such users.
    /// </summary>
    public async Task<int> WithdrawAsync(string caseId, IReadOnlyCollection<PushBatch> batches)
    {
        if (batches.Count == 0) return 0;
        var unreached = batches.Where(b => b.Payload.Kind == NoticeKind.Alert).SelectMany(b => b.UserIds).Distinct().ToList();
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var chunk in batches.Select(b => b.BatchId).Chunk(900))
            await connection.ExecuteAsync($"DELETE FROM push_outbox WHERE {engine.AnyOf("batch_id", "chunk")}", new { chunk }, transaction);
        foreach (var chunk in unreached.Chunk(900))
            await connection.ExecuteAsync($"DELETE FROM case_recipients WHERE case_id = @caseId AND {engine.AnyOf("user_id", "chunk")}", new { caseId, chunk }, transaction);
        await transaction.CommitAsync();
        return unreached.Count;
    }

    /// <summary>Removes acknowledged batches.</summary>
    public async Task DeleteOutboxAsync(IReadOnlyCollection<long> batchIds)
    {
        if (batchIds.Count == 0) return;
        await using var connection = await engine.OpenAsync();
        foreach (var chunk in batchIds.Chunk(900))
            await connection.ExecuteAsync($"DELETE FROM push_outbox WHERE {engine.AnyOf("batch_id", "chunk")}", new { chunk });
    }

    /// <summary>
    /// Every stored batch naming <paramref name="userId"/>, with its users, but for the batches <paramref name="except"/>
    /// names (those the hub holds, and erases from what it holds): an erasure scans the outbox.
    /// </summary>
    public async Task<List<(long BatchId, List<long> UserIds)>> LoadBatchesMentioningAsync(long userId, IReadOnlyCollection<long> except)
    {
        await using var connection = await engine.OpenAsync();
        // The batches left out are left out before their users are read: on PostgreSQL a batch's users (some 5 KB for 500)
        // are stored out of line, and matching every batch's made an erasure read 67,815 buffers in 0.8-1.6 s while the
        // hub waited (20,000 batches of 500, a 10 M case); leaving out all but ten, 1,853 buffers in 42 ms (2026-12-02).
        // A CASE, as PostgreSQL put the text match first in an AND. The text match only narrows the rows read (1 matches
        // 12); the parsed ids decide.
        var rows = await connection.QueryAsync<(long BatchId, string UserIds)>(
            $"SELECT batch_id, user_ids FROM push_outbox WHERE CASE WHEN {engine.AmongIds("batch_id", "except")} THEN false ELSE user_ids LIKE @pattern END",
            new { except = engine.IdList(except), pattern = $"%{userId.ToString(CultureInfo.InvariantCulture)}%" });
        return rows.Select(r => (r.BatchId, ParseIds(r.UserIds))).Where(r => r.Item2.Contains(userId)).ToList();
    }

    /// <summary>Rewrites a batch's users (after an erasure); an emptied batch is deleted.</summary>
    public async Task RewriteOutboxBatchAsync(long batchId, IReadOnlyCollection<long> userIds)
    {
        await using var connection = await engine.OpenAsync();
        if (userIds.Count == 0) await connection.ExecuteAsync("DELETE FROM push_outbox WHERE batch_id = @batchId", new { batchId });
        else await connection.ExecuteAsync("UPDATE push_outbox SET user_ids = @ids WHERE batch_id = @batchId", new { batchId, ids = FormatIds(userIds) });
    }

    /// <summary>A batch's users as the outbox stores them: comma-separated ids.</summary>
    public static string FormatIds(IEnumerable<long> userIds) => string.Join(',', userIds);

    /// <summary>Reads the stored form back.</summary>
    public static List<long> ParseIds(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();
}
