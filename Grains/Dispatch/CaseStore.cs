using System.Data.Common;
using System.Text.Json;
using Alerts.GrainInterfaces;
using Dapper;

namespace Alerts.Grains;

/// <summary>A case's recipients and suppressed users, its push batches and notices, and the index of cases by status.</summary>
public sealed class CaseStore(StoreEngine engine)
{
    /// <summary>The span of a <c>case_hours</c> row: a case records in an hour once it recorded anyone in it.</summary>
    public const long HourMs = 3_600_000;

    /// <summary>Recordings worth running at once: 1 where the engine has a single writer.</summary>
    public int ParallelWrites => engine.ParallelWrites;

    /// <summary>
    /// Records the candidates not yet pushed for the case and writes their push batches to the outbox,
    /// in one transaction: a user can enter a case's recipients once, so a repeated step pushes nobody twice.
    /// A drill keeps only testers; a live case holds back users over the fatigue limit (recorded as suppressed,
    /// so they are counted once and not tried again). Batches keep the candidates' order (nearest first).
    /// With <paramref name="after"/> (the recording of the users before these, running at the same time), the batch
    /// ids are taken only once it has ended, however it ended, so batch ids follow the candidates' order.
    /// </summary>
    public async Task<RecordedUsers> RecordRecipientsAsync(string caseId, AlertPayload payload, IReadOnlyList<long> candidates, int batchSize, DateTimeOffset now, RecordingRules rules, Task? after = null)
    {
        if (candidates.Count == 0) return RecordedUsers.None;
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var nowMs = now.ToUnixTimeMilliseconds();
        var ids = engine.IdList(candidates);
        // Most cases hold nobody back: they skip the lookup (a query per dispatch step).
        var excluded = !rules.HasSuppressed ? [] : (await connection.QueryAsync<long>(
            $"SELECT user_id FROM case_suppressed WHERE case_id = @caseId AND user_id IN (SELECT id FROM {engine.IdRows("ids")})", new { caseId, ids }, transaction)).ToHashSet();
        IEnumerable<long> allowed = candidates.Where(id => !excluded.Contains(id));
        if (rules.TestersOnly)
        {
            var testers = (await connection.QueryAsync<long>($"SELECT user_id FROM testers WHERE user_id IN (SELECT id FROM {engine.IdRows("ids")})", new { ids }, transaction)).ToHashSet();
            allowed = allowed.Where(testers.Contains);
        }

        // Inserted in user order (handed out in the candidates' order, below): both indexes of case_recipients then
        // take the rows front to back instead of at random places.
        var allowedList = allowed.ToList();
        allowedList.Sort();
        var allowedIds = engine.IdList(allowedList);
        var inserted = (await connection.QueryAsync<long>(
            $"INSERT INTO case_recipients (case_id, user_id, pushed_ms) SELECT @caseId, id, @nowMs FROM {engine.IdRows("ids")} WHERE true ON CONFLICT DO NOTHING RETURNING user_id",
            new { caseId, nowMs, ids = allowedIds }, transaction)).ToHashSet();
        var suppressed = 0;
        if (!rules.TestersOnly && rules.MaxAlertsPerDay > 0 && inserted.Count > 0)
        {
            var held = await HoldBackFatiguedAsync(connection, transaction, caseId, inserted, nowMs, rules.MaxAlertsPerDay);
            inserted.ExceptWith(held);
            suppressed = held.Count;
        }

        var fresh = candidates.Where(inserted.Remove).ToList();
        if (after is not null) await Task.WhenAny(after);
        var batches = await WriteBatchesAsync(connection, transaction, caseId, payload, fresh, batchSize, nowMs);
        // Last, so the hour's row is held only for the commit: the case's other recordings running meanwhile would wait
        // for it (the first of each hour inserts it, the rest find it).
        if (fresh.Count > 0)
            await connection.ExecuteAsync("INSERT INTO case_hours (hour_ms, case_id) VALUES (@hourMs, @caseId) ON CONFLICT DO NOTHING",
                new { hourMs = nowMs - nowMs % HourMs, caseId }, transaction);
        await transaction.CommitAsync();
        return new RecordedUsers(batches, suppressed);
    }

    // Users who already had the day's quota of live alerts from other cases: out of the recipients, into the suppressed.
    // The other live cases that recorded anyone in the window are few: each one's key is probed for these users, and with
    // fewer such cases than the limit nobody can be over it, so no probe is made at all.
    private async Task<List<long>> HoldBackFatiguedAsync(DbConnection connection, DbTransaction transaction, string caseId, IReadOnlyCollection<long> users, long nowMs, int limit)
    {
        var sinceMs = nowMs - (long)RecordingRules.FatigueWindow.TotalMilliseconds;
        var recent = (await connection.QueryAsync<string>("""
            SELECT DISTINCT h.case_id FROM case_hours h
            WHERE h.hour_ms >= @sinceHourMs AND h.case_id <> @caseId AND NOT EXISTS (SELECT 1 FROM drill_cases d WHERE d.case_id = h.case_id)
            """, new { sinceHourMs = sinceMs - sinceMs % HourMs, caseId }, transaction)).ToList();
        if (recent.Count < limit) return [];
        var sorted = users.ToList();
        sorted.Sort(); // each case's key read front to back
        var ids = engine.IdList(sorted);
        var alerts = new Dictionary<long, int>();
        foreach (var other in recent)
        {
            var reached = await connection.QueryAsync<long>(
                $"SELECT user_id FROM case_recipients WHERE case_id = @other AND {engine.AmongIds("user_id", "ids")} AND pushed_ms > @sinceMs", new { other, ids, sinceMs }, transaction);
            foreach (var user in reached) alerts[user] = alerts.GetValueOrDefault(user) + 1;
        }

        var held = alerts.Where(a => a.Value >= limit).Select(a => a.Key).ToList();
        if (held.Count == 0) return held;
        var heldIds = engine.IdList(held);
        await connection.ExecuteAsync($"DELETE FROM case_recipients WHERE case_id = @caseId AND user_id IN (SELECT id FROM {engine.IdRows("heldIds")})", new { caseId, heldIds }, transaction);
        await connection.ExecuteAsync($"INSERT INTO case_suppressed (case_id, user_id, suppressed_ms) SELECT @caseId, id, @nowMs FROM {engine.IdRows("heldIds")} WHERE true ON CONFLICT DO NOTHING",
            new { caseId, heldIds, nowMs }, transaction);
        return held;
    }

    // Batch ids come from one sequence in the same transaction as the users they carry: a repeated step makes no new ids.
    private static async Task<List<PushBatch>> WriteBatchesAsync(DbConnection connection, DbTransaction transaction, string caseId, AlertPayload payload, List<long> users, int batchSize, long nowMs)
    {
        if (users.Count == 0) return [];
        var chunks = users.Chunk(batchSize).ToList();
        var last = await connection.ExecuteScalarAsync<long>("UPDATE meta SET value = value + @n WHERE key = 'batch_seq' RETURNING value", new { n = chunks.Count }, transaction);
        var first = last - chunks.Count + 1;
        var payloadJson = JsonSerializer.Serialize(payload, PayloadJson.Options);
        var batches = new List<PushBatch>(chunks.Count);
        for (var i = 0; i < chunks.Count; i++) batches.Add(new PushBatch(first + i, caseId, chunks[i].ToList(), payload));
        await connection.ExecuteAsync("INSERT INTO push_outbox (batch_id, case_id, user_ids, payload, created_ms) VALUES (@BatchId, @CaseId, @UserIds, @Payload, @NowMs)",
            batches.Select(b => new { b.BatchId, b.CaseId, UserIds = OutboxStore.FormatIds(b.UserIds), Payload = payloadJson, NowMs = nowMs }), transaction);
        return batches;
    }

    /// <summary>Marks a case as a drill: its recipients never count toward anyone's alert-fatigue limit.</summary>
    public async Task MarkDrillAsync(string caseId)
    {
        await using var connection = await engine.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO drill_cases (case_id) VALUES (@caseId) ON CONFLICT DO NOTHING", new { caseId });
    }

    /// <summary>When the case last recorded a user (null: never).</summary>
    public async Task<DateTimeOffset?> LatestRecordingAsync(string caseId)
    {
        await using var connection = await engine.OpenAsync();
        var ms = await connection.ExecuteScalarAsync<long?>("SELECT MAX(pushed_ms) FROM case_recipients WHERE case_id = @caseId", new { caseId });
        return ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
    }

    /// <summary>Users held back from a case by the fatigue limit.</summary>
    public async Task<long> CountSuppressedAsync(string caseId)
    {
        await using var connection = await engine.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM case_suppressed WHERE case_id = @caseId", new { caseId });
    }

    /// <summary>Writes a notice that covers the users recorded up to <paramref name="coversUntil"/> (nothing happens when it exists).</summary>
    public async Task CreateNoticeAsync(string caseId, int number, AlertPayload payload, DateTimeOffset coversUntil)
    {
        await using var connection = await engine.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO case_notices (case_id, notice_no, payload, covers_until_ms, cursor, sent, done) VALUES (@caseId, @number, @payload, @coversMs, -9223372036854775808, 0, 0)
            ON CONFLICT DO NOTHING
            """, new { caseId, number, payload = JsonSerializer.Serialize(payload, PayloadJson.Options), coversMs = coversUntil.ToUnixTimeMilliseconds() });
    }

    /// <summary>
    /// Sends the next users of a notice (in user id order after its cursor) to the outbox, and moves the cursor, in one
    /// transaction: a step repeated after a crash continues where the last committed one ended, so nobody gets it twice.
    /// </summary>
    public async Task<NoticeStep> SendNoticeStepAsync(string caseId, int number, int usersPerStep, int batchSize, DateTimeOffset now)
    {
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var notice = await connection.QuerySingleOrDefaultAsync<(string Payload, long CoversMs, long Cursor, long Sent, long Done)>(
            "SELECT payload, covers_until_ms, cursor, sent, done FROM case_notices WHERE case_id = @caseId AND notice_no = @number", new { caseId, number }, transaction);
        if (notice.Payload is null) throw new InvalidOperationException($"case {caseId} has no notice {number}");
        if (notice.Done == 1) return new NoticeStep([], notice.Sent, Done: true);
        var users = (await connection.QueryAsync<long>(
            "SELECT user_id FROM case_recipients WHERE case_id = @caseId AND pushed_ms <= @coversMs AND user_id > @cursor ORDER BY user_id LIMIT @usersPerStep",
            new { caseId, coversMs = notice.CoversMs, cursor = notice.Cursor, usersPerStep }, transaction)).ToList();
        var payload = JsonSerializer.Deserialize<AlertPayload>(notice.Payload, PayloadJson.Options)!;
        var batches = await WriteBatchesAsync(connection, transaction, caseId, payload, users, batchSize, now.ToUnixTimeMilliseconds());
        var done = users.Count < usersPerStep;
        var sent = notice.Sent + users.Count;
        await connection.ExecuteAsync("UPDATE case_notices SET cursor = @cursor, sent = @sent, done = @done WHERE case_id = @caseId AND notice_no = @number",
            new { caseId, number, cursor = users.Count > 0 ? users[^1] : notice.Cursor, sent, done = done ? 1 : 0 }, transaction);
        await transaction.CommitAsync();
        return new NoticeStep(batches, sent, done);
    }

    /// <summary>Stops a notice where it is (an update overtaken by the case's end).</summary>
    public async Task AbandonNoticeAsync(string caseId, int number)
    {
        await using var connection = await engine.OpenAsync();
        await connection.ExecuteAsync("UPDATE case_notices SET done = 1 WHERE case_id = @caseId AND notice_no = @number", new { caseId, number });
    }

    /// <summary>Each notice of a case with how many users it has gone to and whether it is done.</summary>
    public async Task<Dictionary<int, (long Sent, bool Done)>> NoticeProgressAsync(string caseId)
    {
        await using var connection = await engine.OpenAsync();
        var rows = await connection.QueryAsync<(long Number, long Sent, long Done)>("SELECT notice_no, sent, done FROM case_notices WHERE case_id = @caseId", new { caseId });
        return rows.ToDictionary(r => (int)r.Number, r => (r.Sent, r.Done == 1));
    }

    /// <summary>Cases with a notice not yet sent to everyone it covers.</summary>
    public async Task<List<string>> CasesWithUnsentNoticesAsync()
    {
        await using var connection = await engine.OpenAsync();
        return (await connection.QueryAsync<string>("SELECT DISTINCT case_id FROM case_notices WHERE done = 0")).ToList();
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
        return rows.Select(r => new CaseSummary(r.CaseId, ParseStatus(r.Status), DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedMs))).ToList();
    }

    /// <summary>How many cases are in each state.</summary>
    public async Task<Dictionary<CaseStatus, int>> CountCasesAsync()
    {
        await using var connection = await engine.OpenAsync();
        var rows = await connection.QueryAsync<(string Status, long Count)>("SELECT status, COUNT(*) FROM cases GROUP BY status");
        return rows.GroupBy(r => ParseStatus(r.Status)).ToDictionary(g => g.Key, g => (int)g.Sum(r => r.Count));
    }

    // Rows written before approvals existed name the old states.
    private static CaseStatus ParseStatus(string name) => name switch
    {
        "Open" => CaseStatus.Draft,
        "Dispatched" => CaseStatus.Active,
        _ => Enum.Parse<CaseStatus>(name),
    };
}
