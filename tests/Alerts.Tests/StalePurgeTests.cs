using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>
/// The stale purge is made once an interval for the whole cluster, whichever silos ask; a pass that fails stays due, and a
/// claim from a clock far ahead does not hold it back.
/// </summary>
public sealed class StalePurgeTests
{
    private static readonly DateTimeOffset Now = AlertsSilo.Epoch;
    private static readonly TimeSpan Spacing = TimeSpan.FromMinutes(54);

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_pass_is_made_once_a_spacing_however_many_silos_ask(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        await new ProductSchema(engine).EnsureAsync(5);
        // Two silos' stores on one database.
        var (one, other) = (new ResidentStore(engine), new ResidentStore(engine));

        await StaleAsync(one, 1);
        Assert.Equal(1, await one.PurgeStaleIfDueAsync(Now, Now, Spacing));
        await StaleAsync(one, 2);
        Assert.Null(await other.PurgeStaleIfDueAsync(Now, Now + Spacing - TimeSpan.FromMilliseconds(1), Spacing));
        Assert.Null(await one.PurgeStaleIfDueAsync(Now, Now, Spacing));
        Assert.Equal([2L], await UsersAsync(one));

        Assert.Equal(1, await other.PurgeStaleIfDueAsync(Now, Now + Spacing, Spacing));
        Assert.Empty(await UsersAsync(one));

        // Asked at once (on threads of their own: SQLite's driver runs "async" calls to the end before returning): one
        // pass, by either.
        await StaleAsync(one, 3);
        var later = Now + 2 * Spacing;
        var passes = await Task.WhenAll(Task.Run(() => one.PurgeStaleIfDueAsync(Now, later, Spacing)), Task.Run(() => other.PurgeStaleIfDueAsync(Now, later, Spacing)));
        Assert.Equal([1], passes.OfType<int>());
        Assert.Empty(await UsersAsync(one));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_claim_dated_more_than_a_spacing_ahead_does_not_hold_the_purge_back(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        await new ProductSchema(engine).EnsureAsync(5);
        var (ahead, behind) = (new ResidentStore(engine), new ResidentStore(engine));
        await StaleAsync(ahead, 1);
        Assert.Equal(1, await ahead.PurgeStaleIfDueAsync(Now, Now + Spacing, Spacing));

        // A clock a spacing behind the claim's still skips (silos' clocks differ a little); one further behind purges.
        await StaleAsync(ahead, 2);
        Assert.Null(await behind.PurgeStaleIfDueAsync(Now, Now, Spacing));
        Assert.Equal(1, await behind.PurgeStaleIfDueAsync(Now, Now - TimeSpan.FromMilliseconds(1), Spacing));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_pass_that_fails_leaves_the_purge_due(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        await new ProductSchema(engine).EnsureAsync(5);
        var store = new ResidentStore(engine);
        await StaleAsync(store, 1);
        await using (var connection = await engine.OpenAsync())
            await connection.ExecuteAsync(provider == "postgres"
                ? """
                  CREATE FUNCTION refuse_deletes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'deletes refused'; END $$;
                  CREATE TRIGGER refuse_deletes BEFORE DELETE ON residents FOR EACH ROW EXECUTE FUNCTION refuse_deletes();
                  """
                : "CREATE TRIGGER refuse_deletes BEFORE DELETE ON residents BEGIN SELECT RAISE(ABORT, 'deletes refused'); END");

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => store.PurgeStaleIfDueAsync(Now, Now, Spacing));
        Assert.Contains("deletes refused", refused.Message);

        await using (var connection = await engine.OpenAsync())
            await connection.ExecuteAsync("DROP TRIGGER refuse_deletes" + (provider == "postgres" ? " ON residents" : ""));
        Assert.Equal(1, await store.PurgeStaleIfDueAsync(Now, Now, Spacing));
    }

    // A position older than the cutoff of every pass here (Now).
    private static Task StaleAsync(ResidentStore store, long userId) =>
        store.FlushResidentsAsync([(Geohash.Parse("ws100"), new ResidentFix(userId, 22.5, 114.0, Now.ToUnixTimeMilliseconds() - 60_000, false))], []);

    private static async Task<List<long>> UsersAsync(ResidentStore store) =>
        (await store.LoadCellAsync(Geohash.Parse("ws100"))).Select(r => r.UserId).Order().ToList();
}
