using System.Data.Common;
using System.Globalization;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Dapper;

namespace Alerts.Grains;

/// <summary>Residents' positions and preferences in the product's tables: what cells and directory shards load, and what the writer writes.</summary>
public sealed class ResidentStore(StoreEngine engine)
{
    /// <summary>Every cell (packed geohash) that has resident rows.</summary>
    public async Task<List<long>> LoadResidentCellsAsync()
    {
        await using var connection = await engine.OpenAsync();
        return (await connection.QueryAsync<long>("SELECT DISTINCT cell FROM residents")).Select(key => Geohash.FromOrderKey(key).Packed).ToList();
    }

    /// <summary>Stored cell, fix time and opt-out of every user of one directory shard (user id mod shards).</summary>
    public async Task<List<DirectoryRow>> LoadShardAsync(int shard, int shards)
    {
        await using var connection = await engine.OpenAsync();
        var prefs = (await connection.QueryAsync<(long UserId, long OptedOut)>(
            "SELECT user_id, opted_out FROM user_prefs WHERE user_id % @shards = @shard", new { shard, shards })).ToDictionary(p => p.UserId, p => p.OptedOut == 1);
        var rows = new List<DirectoryRow>();
        await using (var reader = await connection.ExecuteReaderAsync("SELECT user_id, cell, fix_ms FROM residents WHERE user_id % @shards = @shard", new { shard, shards }))
            while (await reader.ReadAsync()) rows.Add(DirectoryRowOf(reader, prefs));
        rows.AddRange(prefs.Select(p => new DirectoryRow(p.Key, 0, 0, p.Value)));
        return rows;
    }

    /// <summary>Every directory shard's rows in one pass over the tables; element i holds the users with id mod shards = i.</summary>
    public async Task<List<DirectoryRow>[]> LoadDirectoryAsync(int shards)
    {
        var parts = Enumerable.Range(0, shards).Select(_ => new List<DirectoryRow>()).ToArray();
        await using var connection = await engine.OpenAsync();
        var prefs = (await connection.QueryAsync<(long UserId, long OptedOut)>("SELECT user_id, opted_out FROM user_prefs")).ToDictionary(p => p.UserId, p => p.OptedOut == 1);
        await using (var reader = await connection.ExecuteReaderAsync("SELECT user_id, cell, fix_ms FROM residents"))
        {
            while (await reader.ReadAsync())
            {
                var row = DirectoryRowOf(reader, prefs);
                parts[row.UserId % shards].Add(row);
            }
        }

        foreach (var (userId, optedOut) in prefs) parts[userId % shards].Add(new DirectoryRow(userId, 0, 0, optedOut));
        return parts;
    }

    // Reads (user_id, cell, fix_ms), taking the user's opt-out out of the map so only users without a position remain in it.
    private static DirectoryRow DirectoryRowOf(DbDataReader reader, Dictionary<long, bool> prefs)
    {
        var userId = reader.GetInt64(0);
        return new DirectoryRow(userId, Geohash.FromOrderKey(reader.GetInt64(1)).Packed, reader.GetInt64(2), prefs.Remove(userId, out var optedOut) && optedOut);
    }

    /// <summary>The residents of a cell or block, with their opt-out flags.</summary>
    public async Task<List<ResidentFix>> LoadCellAsync(Geohash area) => (await LoadBlocksAsync([area]))[area.Packed];

    /// <summary>
    /// The residents of several blocks (geohashes no finer than the stored cells: every row whose cell starts with one)
    /// in one query, by packed geohash; a block without residents maps to an empty list.
    /// </summary>
    public async Task<Dictionary<long, List<ResidentFix>>> LoadBlocksAsync(IReadOnlyCollection<Geohash> blocks)
    {
        var distinct = blocks.Distinct().ToList();
        var byBlock = distinct.ToDictionary(b => b.Packed, _ => new List<ResidentFix>());
        // A block's cells are one range of the cell index (see Geohash.OrderKey).
        var parameters = new DynamicParameters();
        var ranges = new List<string>(distinct.Count);
        for (var i = 0; i < distinct.Count; i++)
        {
            var (first, last) = distinct[i].OrderKeyRange;
            parameters.Add("lo" + i.ToString(CultureInfo.InvariantCulture), first);
            parameters.Add("hi" + i.ToString(CultureInfo.InvariantCulture), last);
            ranges.Add(string.Create(CultureInfo.InvariantCulture, $"r.cell BETWEEN @lo{i} AND @hi{i}"));
        }

        var precisions = distinct.Select(b => b.Precision).Distinct().ToArray();
        await using var connection = await engine.OpenAsync();
        var rows = await connection.QueryAsync<(long Cell, long UserId, double Lat, double Lon, long FixMs, long? OptedOut)>(
            $"SELECT r.cell, r.user_id, r.lat, r.lon, r.fix_ms, p.opted_out FROM residents r LEFT JOIN user_prefs p ON p.user_id = r.user_id WHERE {string.Join(" OR ", ranges)}",
            parameters);
        foreach (var r in rows)
        {
            var cell = Geohash.FromOrderKey(r.Cell);
            foreach (var precision in precisions)
                if (precision <= cell.Precision && byBlock.TryGetValue(cell.Parent(precision).Packed, out var residents))
                    residents.Add(new ResidentFix(r.UserId, r.Lat, r.Lon, r.FixMs, r.OptedOut == 1));
        }

        return byBlock;
    }

    /// <summary>The stored positions of some users, by user id; users without a row are absent.</summary>
    public async Task<Dictionary<long, GeoPoint>> LoadPositionsAsync(IReadOnlyCollection<long> userIds)
    {
        var positions = new Dictionary<long, GeoPoint>(userIds.Count);
        await using var connection = await engine.OpenAsync();
        // In chunks, as the outbox reads its batches: SQLite bounds a statement's parameters, and the list may name a block's whole edge.
        foreach (var chunk in userIds.Chunk(900))
        {
            var rows = await connection.QueryAsync<(long UserId, double Lat, double Lon)>($"SELECT user_id, lat, lon FROM residents WHERE {engine.AnyOf("user_id", "chunk")}", new { chunk });
            foreach (var (userId, lat, lon) in rows) positions[userId] = new GeoPoint(lat, lon);
        }

        return positions;
    }

    /// <summary>How many position transactions the writer may run at once (see <see cref="StoreEngine.ParallelWrites"/>).</summary>
    public int ParallelWrites => engine.ParallelWrites;

    /// <summary>
    /// Writes position changes: newer fixes win; a removal only deletes a row that still names the cell it left. A
    /// removal whose row another transaction holds is made after the transaction of the rest has committed.
    /// </summary>
    /// <remarks>Each user appears at most once among the upserts (the writer keeps one change per user).</remarks>
    public async Task FlushResidentsAsync(IReadOnlyList<(Geohash Cell, ResidentFix Fix)> upserts, IReadOnlyCollection<(Geohash Cell, long UserId)> removals)
    {
        if (upserts.Count == 0 && removals.Count == 0) return;
        // In user order: neighbouring rows share B-tree pages (the writer hands them over sorted already).
        if (!InUserOrder(upserts)) upserts = upserts.OrderBy(u => u.Fix.UserId).ToList();
        await using var connection = await engine.OpenAsync();
        IReadOnlyCollection<long> held;
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            held = await engine.WriteResidentsAsync(connection, transaction, upserts, removals);
            await transaction.CommitAsync();
        }

        if (held.Count == 0) return;
        // Removals whose rows another writer held: each a statement of its own, outside any transaction, so waiting for
        // one holds nothing another could be waiting for (the writers' own transactions never wait in their removals).
        var heldUsers = held.ToHashSet();
        await RemoveAsync(connection, null, removals.Where(r => heldUsers.Contains(r.UserId)).OrderBy(r => r.UserId));
    }

    /// <summary>Deletes each user's row that still names the cell they left, one statement a row in the given order.</summary>
    internal static Task RemoveAsync(DbConnection connection, DbTransaction? transaction, IEnumerable<(Geohash Cell, long UserId)> removals) =>
        connection.ExecuteAsync("DELETE FROM residents WHERE user_id = @UserId AND cell = @Cell", removals.Select(r => new { r.UserId, Cell = r.Cell.OrderKey }), transaction);

    private static bool InUserOrder(IReadOnlyList<(Geohash Cell, ResidentFix Fix)> rows)
    {
        for (var i = 1; i < rows.Count; i++)
            if (rows[i - 1].Fix.UserId > rows[i].Fix.UserId) return false;
        return true;
    }

    /// <summary>Records a user's opt-out choice.</summary>
    public async Task SetOptOutAsync(long userId, bool optedOut)
    {
        await using var connection = await engine.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO user_prefs (user_id, opted_out) VALUES (@userId, @flag) ON CONFLICT (user_id) DO UPDATE SET opted_out = excluded.opted_out",
            new { userId, flag = optedOut ? 1 : 0 });
    }

    // Every table with a row per user and an index by user: erasure deletes from each, and its check counts in each (the
    // engagement tables' own list is theirs to keep). case_recipients is apart: it has no index by user.
    private static readonly string[] UserTables = ["residents", "user_prefs", "testers", "case_suppressed", .. EngagementStore.UserTables];

    // A user's recipient rows, found by probing the key once per case that ever recorded anyone: every case in case_hours,
    // and, for rows a silo of an earlier build recorded during a rolling upgrade, every case indexed by status.
    private const string EraseRecipients =
        "DELETE FROM case_recipients WHERE user_id = @userId AND case_id IN (SELECT case_id FROM case_hours UNION SELECT case_id FROM cases)";

    /// <summary>Enrolls a user as a tester (drills reach only testers) or withdraws them.</summary>
    public async Task SetTesterAsync(long userId, bool tester, DateTimeOffset now)
    {
        await using var connection = await engine.OpenAsync();
        if (tester)
            await connection.ExecuteAsync("INSERT INTO testers (user_id, enrolled_ms) VALUES (@userId, @nowMs) ON CONFLICT (user_id) DO NOTHING", new { userId, nowMs = now.ToUnixTimeMilliseconds() });
        else
            await connection.ExecuteAsync("DELETE FROM testers WHERE user_id = @userId", new { userId });
    }

    /// <summary>Deletes every row about a user outside the push outbox.</summary>
    public async Task EraseUserAsync(long userId)
    {
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var table in UserTables)
            await connection.ExecuteAsync($"DELETE FROM {table} WHERE user_id = @userId", new { userId }, transaction);
        await connection.ExecuteAsync(EraseRecipients, new { userId }, transaction);
        await EngagementStore.ForgetSharerAsync(connection, transaction, userId);
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Deletes positions older than the cutoff, but for rows a writer holds (being rewritten), unless a purge (this silo's or another's) began less than
    /// <paramref name="spacing"/> before <paramref name="now"/>: every silo of a cluster asks, one pass is made. A claim
    /// dated more than a spacing ahead of <paramref name="now"/> (a clock that ran ahead, a restored snapshot) does not
    /// count, or it would stop the purge until then. Returns the positions deleted, or null when no pass was due.
    /// </summary>
    public async Task<int?> PurgeStaleIfDueAsync(DateTimeOffset cutoff, DateTimeOffset now, TimeSpan spacing)
    {
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The claim and the purge commit together, so a purge that fails leaves the pass due. A second silo asking
        // meanwhile waits for the claimed row and then finds it recent: it never purges alongside.
        var claimed = await connection.QueryAsync<long>(
            "INSERT INTO meta (key, value) VALUES ('purged_ms', @now) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value <= @due OR meta.value > @ahead RETURNING value",
            new { now = now.ToUnixTimeMilliseconds(), due = (now - spacing).ToUnixTimeMilliseconds(), ahead = (now + spacing).ToUnixTimeMilliseconds() }, transaction);
        if (!claimed.Any()) return null;
        var purged = await connection.ExecuteAsync(engine.DeleteStaleResidents, new { cutoff = cutoff.ToUnixTimeMilliseconds() }, transaction);
        await transaction.CommitAsync();
        return purged;
    }

    /// <summary>Rows anywhere that mention a user, the outbox included (erasure checks).</summary>
    public async Task<int> CountRowsAboutAsync(long userId)
    {
        await using var connection = await engine.OpenAsync();
        var total = 0;
        // case_recipients read whole, not through the cases erasure probes: a row erasure missed is counted.
        foreach (var table in UserTables.Append("case_recipients"))
            total += await connection.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table} WHERE user_id = @userId", new { userId });
        total += await EngagementStore.CountSharerMentionsAsync(connection, userId);
        var outbox = await connection.QueryAsync<string>("SELECT user_ids FROM push_outbox");
        total += outbox.Count(ids => OutboxStore.ParseIds(ids).Contains(userId));
        return total;
    }

    /// <summary>Residents with a stored position, and users who opted out (positions still being written are not counted yet).</summary>
    public async Task<(long Residents, long OptedOut)> CountAsync()
    {
        await using var connection = await engine.OpenAsync();
        var residents = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM residents");
        var optedOut = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM user_prefs WHERE opted_out = 1");
        return (residents, optedOut);
    }
}
