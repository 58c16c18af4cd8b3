using System.Data.Common;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Dapper;

namespace Alerts.Grains;

/// <summary>
/// A case's engagement rows: deliveries and opens once per user, shares once per user and channel, sightings once per
/// user and time seen, refused events once per user, kind, time, channel and token. A report is written in one transaction of multi-row inserts that skip
/// rows already stored, and says which rows went in: only those are counted.
/// </summary>
public sealed class EngagementStore(StoreEngine engine)
{
    /// <summary>The tables with rows about a user (each has an index on user_id), for erasure.</summary>
    public static IReadOnlyList<string> UserTables { get; } = ["engagement_deliveries", "engagement_opens", "engagement_shares", "engagement_sightings", "engagement_refusals"];

    /// <summary>Erasure: opens through the user's links keep counting, but no longer say whose link it was.</summary>
    public static Task ForgetSharerAsync(DbConnection connection, DbTransaction transaction, long userId) =>
        connection.ExecuteAsync("UPDATE engagement_opens SET sharer = NULL WHERE sharer = @userId", new { userId }, transaction);

    /// <summary>Opens that still name the user as the sharer (erasure checks).</summary>
    public static Task<int> CountSharerMentionsAsync(DbConnection connection, long userId) =>
        connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM engagement_opens WHERE sharer = @userId", new { userId });

    /// <summary>For each user: pushed or not, the generation of their open if they opened, and their resident cell's text (one query).</summary>
    public async Task<Dictionary<long, UserStanding>> LookupAsync(string caseId, IReadOnlyCollection<long> userIds)
    {
        if (userIds.Count == 0) return [];
        await using var connection = await engine.OpenAsync();
        // One index probe per id and table (correlated subqueries): joins would let the planner scan whole tables.
        var rows = await connection.QueryAsync<(long UserId, long Pushed, long? Depth, long? CellKey)>($"""
            SELECT ids.id,
                CAST(CASE WHEN EXISTS (SELECT 1 FROM case_recipients r WHERE r.case_id = @caseId AND r.user_id = ids.id) THEN 1 ELSE 0 END AS BIGINT),
                (SELECT CAST(o.depth AS BIGINT) FROM engagement_opens o WHERE o.case_id = @caseId AND o.user_id = ids.id),
                (SELECT s.cell FROM residents s WHERE s.user_id = ids.id)
            FROM {engine.IdRows("ids")}
            """, new { caseId, ids = engine.IdList(userIds) });
        return rows.ToDictionary(r => r.UserId, r => new UserStanding(r.Pushed != 0, r.Depth is { } depth ? (int)depth : null, r.CellKey is { } key ? Geohash.FromOrderKey(key).ToString() : CellEngagement.Unknown));
    }

    /// <summary>Of <paramref name="sharers"/>, those with a share of the case stored (not erased since).</summary>
    public async Task<HashSet<long>> StoredSharersAsync(string caseId, IReadOnlyCollection<long> sharers)
    {
        if (sharers.Count == 0) return [];
        await using var connection = await engine.OpenAsync();
        return (await connection.QueryAsync<long>(
            $"SELECT ids.id FROM {engine.IdRows("ids")} WHERE EXISTS (SELECT 1 FROM engagement_shares s WHERE s.case_id = @caseId AND s.user_id = ids.id)",
            new { caseId, ids = engine.IdList(sharers) })).ToHashSet();
    }

    /// <summary>The sightings of the case stored for each of <paramref name="userIds"/>, by time seen (a user reports a few at most).</summary>
    public async Task<Dictionary<long, Dictionary<long, SightingDetails>>> StoredSightingsAsync(string caseId, IReadOnlyCollection<long> userIds)
    {
        if (userIds.Count == 0) return [];
        await using var connection = await engine.OpenAsync();
        var rows = await connection.QueryAsync<(long UserId, long SeenMs, double Lat, double Lon, string Text, string? PhotoUrl, string? Contact)>(
            $"SELECT user_id, seen_ms, lat, lon, text, photo_url, contact FROM engagement_sightings WHERE case_id = @caseId AND user_id IN (SELECT id FROM {engine.IdRows("ids")})",
            new { caseId, ids = engine.IdList(userIds) });
        return rows.GroupBy(r => r.UserId).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.SeenMs, r => new SightingDetails(r.Lat, r.Lon, r.Text, r.PhotoUrl, r.Contact)));
    }

    /// <summary>Writes <paramref name="rows"/> in one transaction; for each kind, true for each row that went in (false: stored already).</summary>
    public async Task<(bool[] Deliveries, bool[] Opens, bool[] Shares, bool[] Sightings, bool[] Refusals)> WriteAsync(string caseId, EngagementRows rows, DateTimeOffset now)
    {
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var d = rows.Deliveries;
        var deliveries = await engine.InsertNewRowsAsync(connection, transaction, "engagement_deliveries", 2,
        [
            ("case_id", Repeat(caseId, d.Count)), ("user_id", d.Select(r => r.UserId).ToArray()), ("at_ms", d.Select(r => r.AtMs).ToArray()), ("cell", d.Select(r => r.Cell).ToArray()),
        ]);
        var o = rows.Opens;
        var opens = await engine.InsertNewRowsAsync(connection, transaction, "engagement_opens", 2,
        [
            ("case_id", Repeat(caseId, o.Count)), ("user_id", o.Select(r => r.UserId).ToArray()), ("at_ms", o.Select(r => r.AtMs).ToArray()), ("cell", o.Select(r => r.Cell).ToArray()),
            ("sharer", o.Select(r => r.Sharer).ToArray()), ("depth", o.Select(r => r.Generation).ToArray()), ("pushed", o.Select(r => r.Pushed ? 1 : 0).ToArray()),
        ]);
        var s = rows.Shares;
        var shares = await engine.InsertNewRowsAsync(connection, transaction, "engagement_shares", 3,
        [
            ("case_id", Repeat(caseId, s.Count)), ("user_id", s.Select(r => r.UserId).ToArray()), ("channel", s.Select(r => r.Channel.ToString()).ToArray()),
            ("at_ms", s.Select(r => r.AtMs).ToArray()), ("cell", s.Select(r => r.Cell).ToArray()), ("depth", s.Select(r => r.Generation).ToArray()),
        ]);
        var g = rows.Sightings;
        var sightings = await engine.InsertNewRowsAsync(connection, transaction, "engagement_sightings", 3,
        [
            ("case_id", Repeat(caseId, g.Count)), ("user_id", g.Select(r => r.UserId).ToArray()), ("seen_ms", g.Select(r => r.SeenMs).ToArray()),
            ("lat", g.Select(r => r.Details.Latitude).ToArray()), ("lon", g.Select(r => r.Details.Longitude).ToArray()), ("cell", g.Select(r => r.Cell).ToArray()),
            ("text", g.Select(r => r.Details.Text).ToArray()), ("photo_url", g.Select(r => r.Details.PhotoUrl).ToArray()), ("contact", g.Select(r => r.Details.Contact).ToArray()),
            ("reported_ms", Repeat(now.ToUnixTimeMilliseconds(), g.Count)),
        ]);
        var r = rows.Refusals;
        var refusals = await engine.InsertNewRowsAsync(connection, transaction, "engagement_refusals", 6,
        [
            ("case_id", Repeat(caseId, r.Count)), ("user_id", r.Select(x => x.UserId).ToArray()), ("kind", r.Select(x => x.Kind.ToString()).ToArray()),
            ("at_ms", r.Select(x => x.AtMs).ToArray()), ("channel", r.Select(x => x.Channel).ToArray()), ("token", r.Select(x => x.Token).ToArray()),
        ]);

        await transaction.CommitAsync();
        return (deliveries, opens, shares, sightings, refusals);
    }

    /// <summary>Rebuilds one shard's counters from its users' rows (an activation's first read): one grouped query per table.</summary>
    public async Task LoadAsync(string caseId, int shard, int shards, EngagementTally tally)
    {
        await using var connection = await engine.OpenAsync();
        var p = new { caseId, shard, shards };
        foreach (var (cell, minute, n) in await connection.QueryAsync<(string, long, long)>(
            "SELECT cell, at_ms / 60000, COUNT(*) FROM engagement_deliveries WHERE case_id = @caseId AND user_id % @shards = @shard GROUP BY cell, at_ms / 60000", p))
            tally.AddDelivered(cell, minute, n);
        foreach (var (cell, minute, depth, pushed, n) in await connection.QueryAsync<(string, long, long, long, long)>(
            "SELECT cell, at_ms / 60000, CAST(depth AS BIGINT), CAST(pushed AS BIGINT), COUNT(*) FROM engagement_opens WHERE case_id = @caseId AND user_id % @shards = @shard GROUP BY cell, at_ms / 60000, depth, pushed", p))
            tally.AddOpened(cell, minute, (int)depth, pushed != 0, n);
        foreach (var (cell, minute, channel, depth, n) in await connection.QueryAsync<(string, long, string, long, long)>(
            "SELECT cell, at_ms / 60000, channel, CAST(depth AS BIGINT), COUNT(*) FROM engagement_shares WHERE case_id = @caseId AND user_id % @shards = @shard GROUP BY cell, at_ms / 60000, channel, depth", p))
            tally.AddShared(cell, minute, Enum.Parse<ShareChannel>(channel), (int)depth, n);
        foreach (var (cell, minute, n) in await connection.QueryAsync<(string, long, long)>(
            "SELECT cell, seen_ms / 60000, COUNT(*) FROM engagement_sightings WHERE case_id = @caseId AND user_id % @shards = @shard GROUP BY cell, seen_ms / 60000", p))
            tally.AddSighted(cell, minute, n);
        // Plus what a build of schema 1 counted, each time a refusal arrived.
        tally.AddRefused(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM engagement_refusals WHERE case_id = @caseId AND user_id % @shards = @shard", p));
        // Its shards by the count then: a silo with fewer shards now reads the rows of the old shards its own stand for.
        tally.AddRefused(await connection.ExecuteScalarAsync<long?>("SELECT CAST(SUM(refused) AS BIGINT) FROM engagement_refused WHERE case_id = @caseId AND shard % @shards = @shard", p) ?? 0);
    }

    /// <summary>Users alert-fatigue suppression held back for the case.</summary>
    public async Task<long> CountSuppressedAsync(string caseId)
    {
        await using var connection = await engine.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM case_suppressed WHERE case_id = @caseId", new { caseId });
    }

    /// <summary>The newest sightings first.</summary>
    public async Task<List<Sighting>> ListSightingsAsync(string caseId, int limit)
    {
        await using var connection = await engine.OpenAsync();
        var rows = await connection.QueryAsync<(long UserId, long SeenMs, long ReportedMs, double Lat, double Lon, string Text, string? PhotoUrl, string? Contact)>(
            "SELECT user_id, seen_ms, reported_ms, lat, lon, text, photo_url, contact FROM engagement_sightings WHERE case_id = @caseId ORDER BY reported_ms DESC, seen_ms DESC, user_id LIMIT @limit",
            new { caseId, limit });
        return rows.Select(r => new Sighting(r.UserId, DateTimeOffset.FromUnixTimeMilliseconds(r.SeenMs), DateTimeOffset.FromUnixTimeMilliseconds(r.ReportedMs),
            new SightingDetails(r.Lat, r.Lon, r.Text, r.PhotoUrl, r.Contact))).ToList();
    }

    /// <summary>A user's shares of the case and the opens through their links.</summary>
    public async Task<SharerReach> SharerReachAsync(string caseId, long userId)
    {
        await using var connection = await engine.OpenAsync();
        var shares = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM engagement_shares WHERE case_id = @caseId AND user_id = @userId", new { caseId, userId });
        var opens = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM engagement_opens WHERE case_id = @caseId AND sharer = @userId", new { caseId, userId });
        return new SharerReach(userId, shares, opens);
    }

    private static T[] Repeat<T>(T value, int count) => Enumerable.Repeat(value, count).ToArray();
}
