using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>
/// Silos of a cluster must share the settings that say where users and events live and which keys sign: one started with
/// other values while others run is refused, naming each; stopped and killed silos stop counting.
/// </summary>
public sealed class SharedSettingsTests
{
    private static readonly string OtherShareKey = Convert.ToBase64String(Enumerable.Range(201, 32).Select(i => (byte)i).ToArray());

    private static Dictionary<string, string?> Shards(int shards) => new() { ["Alerts:DirectoryShards"] = shards.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task A_silo_whose_shared_settings_differ_from_a_running_silos_is_refused_naming_each_and_one_alike_joins()
    {
        var store = StorageKind.Fresh("postgres");
        await using var first = await AlertsSilo.StartAsync(store, settings: Shards(8));

        var settings = Shards(16);
        settings["Alerts:Engagement:ShareKey"] = OtherShareKey;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(store, settings: settings));
        Assert.Contains($"Alerts:DirectoryShards is 16 here but 8 on silo {first.SiloEndpoint}", refused.Message);
        Assert.Contains($"Alerts:Engagement:ShareKey is another key here than on silo {first.SiloEndpoint}", refused.Message);
        Assert.Contains("stop every silo to change them", refused.Message);
        // Keys are compared by fingerprint: neither is written in the message nor in the table.
        Assert.DoesNotContain(OtherShareKey, refused.Message);
        Assert.DoesNotContain(AlertsSilo.ShareKey, refused.Message);
        Assert.DoesNotContain(AlertsSilo.ShareKey, string.Concat(await StoredSettingsAsync(store)));
        // Settings that must not differ but do not: the refusal names only the two.
        Assert.DoesNotContain("BlockPrecision", refused.Message);
        Assert.DoesNotContain("SigningKey", refused.Message);
        Assert.Single(await StoredSettingsAsync(store));
        // Refused before its runtime started: it never told any cluster it was joining (the first silo's row is the only one).
        Assert.Equal([first.Cluster.ClusterId], await QueryAsync<string>(store, "SELECT DeploymentId FROM OrleansMembershipTable", new { }));

        await using var second = await AlertsSilo.StartAsync(store, settings: Shards(8));
        Assert.Equal(2, (await StoredSettingsAsync(store)).Count);
    }

    [Fact]
    public async Task Settings_change_once_every_silo_has_stopped()
    {
        var store = StorageKind.Fresh("postgres");
        await (await AlertsSilo.StartAsync(store, settings: Shards(8))).DisposeAsync();

        // A stopped silo removed its row: the next start may bring other values without waiting.
        Assert.Empty(await StoredSettingsAsync(store));
        await using var changed = await AlertsSilo.StartAsync(store, settings: Shards(16));
        Assert.Single(await StoredSettingsAsync(store));
    }

    [Fact]
    public async Task A_killed_silos_row_counts_until_it_is_stale_and_a_running_silo_writes_its_row_again()
    {
        var store = StorageKind.Fresh("postgres");
        await using var running = await AlertsSilo.StartAsync(store, settings: Shards(8));
        // A killed silo with other settings (it left its row behind), last seen 80 s ago by the database's clock.
        var liveFor = (long)LiveSilos.LiveFor.TotalMilliseconds;
        await ExecuteAsync(store, $"INSERT INTO live_silos (silo, settings, seen_ms) VALUES ('10.0.0.9:11111', @settings, {Now} - @age)",
            new { settings = """{"Alerts:DirectoryShards":"4"}""", age = liveFor - 10_000 });

        // A silo like the running one is refused over the killed one alone.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(store, settings: Shards(8)));
        Assert.Contains("Alerts:DirectoryShards is 8 here but 4 on silo 10.0.0.9:11111", refused.Message);
        Assert.DoesNotContain(running.SiloEndpoint, refused.Message);

        // Once the killed silo's row is stale it no longer counts (and is removed); the running silo's still does.
        await ExecuteAsync(store, $"UPDATE live_silos SET seen_ms = {Now} - @age WHERE silo = '10.0.0.9:11111'", new { age = liveFor + 10_000 });
        var stillRefused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(store, settings: Shards(4)));
        Assert.Contains($"Alerts:DirectoryShards is 4 here but 8 on silo {running.SiloEndpoint}", stillRefused.Message);
        Assert.DoesNotContain("10.0.0.9", stillRefused.Message);
        await using (var joined = await AlertsSilo.StartAsync(store, settings: Shards(8)))
            Assert.Equal(2, (await StoredSettingsAsync(store)).Count);

        // The running silo's row, removed as stale by a joiner while its database was away, comes back at its next refresh.
        await ExecuteAsync(store, "DELETE FROM live_silos WHERE silo = @silo", new { silo = running.SiloEndpoint });
        running.Time.Advance(LiveSilos.Refresh);
        await Eventually.UntilAsync(async () => (await StoredSettingsAsync(store)).Count == 1, TimeSpan.FromSeconds(30), () => "the running silo's row written again");
        Assert.Contains($"on silo {running.SiloEndpoint}", (await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(store, settings: Shards(4)))).Message);
    }

    [Fact]
    public async Task A_silo_process_with_other_shared_settings_exits_2_with_the_refusal()
    {
        var database = PostgresServer.Instance.CreateDatabase();
        var settings = ProcessSettings.For("postgres", database, "shared-" + Guid.NewGuid().ToString("N")[..6]);
        Assert.Equal(0, (await SiloProcess.RunAsync(["migrate", .. settings.Select(s => $"--{s.Key}={s.Value}")])).ExitCode);
        await using var running = await SiloProcess.StartAsync(settings, "silo-1");

        // On ports of its own: the defaults may be taken on this machine.
        settings["Alerts:DirectoryShards"] = "16";
        settings["Alerts:Cluster:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Alerts:Cluster:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var refused = await SiloProcess.RunAsync(["--urls", $"http://127.0.0.1:{FreePorts.Next()}", .. settings.Select(s => $"--{s.Key}={s.Value}")]);
        Assert.True(refused.ExitCode == 2, refused.Output);
        // The listening line names the silo "S<address>:<port>:<generation>"; the table names its endpoint.
        var endpoint = running.SiloAddress[1..running.SiloAddress.LastIndexOf(':')];
        Assert.Contains($"Alerts:DirectoryShards is 16 here but 8 on silo {endpoint}", refused.Output);
        // The refusal printed on its own (the host's log of it names the exception's type first), not a crash.
        Assert.Contains("This silo's settings differ from the running silos' (every silo of a cluster must share them):", refused.Output.Split('\n'));
        Assert.DoesNotContain("Unhandled exception", refused.Output);
    }

    [Fact]
    public async Task The_embedded_silo_runs_alone_and_keeps_no_row()
    {
        var store = StorageKind.Fresh("sqlite");
        await using var silo = await AlertsSilo.StartAsync(store);
        Assert.Empty(await StoredSettingsAsync(store));
    }

    [Fact]
    public void Keys_compare_by_a_fingerprint_that_tells_them_apart_and_gives_neither_away()
    {
        var alerts = new AlertsOptions();
        var security = new SecurityOptions { SigningKey = AlertsSilo.SigningKey };
        var mine = SharedSettings.Of(alerts, new EngagementOptions { ShareKey = AlertsSilo.ShareKey, Shards = 4 }, security);
        var same = SharedSettings.FromJson(SharedSettings.Of(alerts, new EngagementOptions { ShareKey = AlertsSilo.ShareKey, Shards = 4 }, security).ToJson());
        var other = SharedSettings.Of(alerts, new EngagementOptions { ShareKey = OtherShareKey, Shards = 4 }, security);

        Assert.Empty(mine.DifferencesFrom(same, "S1"));
        Assert.Equal(["Alerts:Engagement:ShareKey is another key here than on silo S1: share links one silo makes would be refused by the others"], mine.DifferencesFrom(other, "S1"));
        Assert.DoesNotContain(AlertsSilo.ShareKey, mine.ToJson());
        Assert.DoesNotContain(Convert.ToHexString(Convert.FromBase64String(AlertsSilo.ShareKey)), mine.ToJson(), StringComparison.OrdinalIgnoreCase);
        // One key given as both settings does not show as the same fingerprint twice.
        var sameKeyTwice = SharedSettings.Of(alerts, new EngagementOptions { ShareKey = AlertsSilo.SigningKey, Shards = 4 }, security);
        Assert.NotEqual(sameKeyTwice.Values["Alerts:Security:SigningKey"], sameKeyTwice.Values["Alerts:Engagement:ShareKey"]);
        // A row that cannot be read differs in every setting rather than passing.
        Assert.Equal(mine.Values.Count, mine.DifferencesFrom(SharedSettings.FromJson("not json"), "S2").Count());
    }

    [Fact]
    public void The_engagement_times_that_decide_what_is_counted_must_be_alike()
    {
        var alerts = new AlertsOptions();
        var security = new SecurityOptions { SigningKey = AlertsSilo.SigningKey };
        EngagementOptions Engagement() => new() { ShareKey = AlertsSilo.ShareKey, Shards = 4 };
        var mine = SharedSettings.Of(alerts, Engagement(), security);
        var longerLinks = Engagement();
        longerLinks.ShareLinkLifetime = TimeSpan.FromDays(60);
        var laterEvents = Engagement();
        laterEvents.MaxEventAge = TimeSpan.FromDays(2);
        laterEvents.MaxClockSkew = TimeSpan.FromMinutes(1);

        Assert.Equal(
            ["Alerts:Engagement:ShareLinkLifetime is 30.00:00:00 here but 60.00:00:00 on silo S1: a share link would be accepted while one silo holds its case's engagement and refused as expired while another does"],
            mine.DifferencesFrom(SharedSettings.FromJson(SharedSettings.Of(alerts, longerLinks, security).ToJson()), "S1"));
        Assert.Equal(["Alerts:Engagement:MaxClockSkew", "Alerts:Engagement:MaxEventAge"],
            mine.DifferencesFrom(SharedSettings.Of(alerts, laterEvents, security), "S1").Select(line => line[..line.IndexOf(' ', StringComparison.Ordinal)]));
    }

    // The database's clock now, as live_silos is written by.
    private const string Now = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    private static async Task<List<string>> StoredSettingsAsync(TestStore store) => await QueryAsync<string>(store, "SELECT settings FROM live_silos", new { });

    private static async Task<long?> SeenAsync(TestStore store, string silo) =>
        (await QueryAsync<long?>(store, "SELECT seen_ms FROM live_silos WHERE silo = @silo", new { silo })).SingleOrDefault();

    private static async Task ExecuteAsync(TestStore store, string sql, object parameters)
    {
        await using var engine = StoreEngine.For(store.Provider, store.ConnectionString);
        await using var connection = await engine.OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    private static async Task<List<T>> QueryAsync<T>(TestStore store, string sql, object parameters)
    {
        await using var engine = StoreEngine.For(store.Provider, store.ConnectionString);
        await using var connection = await engine.OpenAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }
}
