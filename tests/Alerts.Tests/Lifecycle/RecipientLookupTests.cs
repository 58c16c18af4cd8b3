using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>
/// Recipients have no index by user: the fatigue check and erasure find a user's rows through the cases named in
/// <c>case_hours</c>, exact to the millisecond although cases are named by the hour, on a new database and on one made
/// before case_hours existed.
/// </summary>
public sealed class RecipientLookupTests
{
    private static readonly AlertPayload Payload = new("case", "m", "https://a.example/x");
    private static readonly RecordingRules OneADay = new(TestersOnly: false, MaxAlertsPerDay: 1, HasSuppressed: false);

    // The schema's recipients as builds before version 3 made them: an index by user, no case_hours.
    private const string EarlierRecipients = """
        CREATE TABLE case_recipients (case_id TEXT NOT NULL, user_id BIGINT NOT NULL, pushed_ms BIGINT NOT NULL, PRIMARY KEY (case_id, user_id));
        CREATE INDEX case_recipients_user ON case_recipients (user_id);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
        INSERT INTO meta (key, value) VALUES ('product_schema', 2);
        """;

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task The_fatigue_window_ends_to_the_millisecond_for_a_case_recorded_in_the_middle_of_an_hour(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        await new ProductSchema(engine).EnsureAsync(5);
        var cases = new CaseStore(engine);
        // Half past: the window's start falls inside the hour that names the first case.
        var first = AlertsSilo.Epoch.AddMinutes(30).AddMilliseconds(7);
        await cases.RecordRecipientsAsync("first", Payload, [1, 2, 3], 50, first, OneADay);

        var stillHeld = await cases.RecordRecipientsAsync("second", Payload, [1, 2, 3, 4], 50, first + RecordingRules.FatigueWindow - TimeSpan.FromMilliseconds(1), OneADay);
        Assert.Equal(3, stillHeld.Suppressed);
        Assert.Equal([4L], stillHeld.Batches.SelectMany(b => b.UserIds));

        var rolled = await cases.RecordRecipientsAsync("third", Payload, [1, 2, 3], 50, first + RecordingRules.FatigueWindow, OneADay);
        Assert.Equal(0, rolled.Suppressed);
        Assert.Equal([1L, 2L, 3L], rolled.Batches.SelectMany(b => b.UserIds).Order());
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_database_from_before_case_hours_loses_the_index_by_user_and_its_recipients_still_count_and_are_erased(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        var earlier = AlertsSilo.Epoch.AddMinutes(50).ToUnixTimeMilliseconds();
        await using (var connection = await engine.OpenAsync())
        {
            await connection.ExecuteAsync(EarlierRecipients);
            await connection.ExecuteAsync("INSERT INTO case_recipients (case_id, user_id, pushed_ms) VALUES ('old', 1, @earlier), ('old', 2, @earlier), ('older', 2, @older)",
                new { earlier, older = earlier - 48 * CaseStore.HourMs });
        }

        await new ProductSchema(engine).EnsureAsync(5);

        await using (var connection = await engine.OpenAsync())
        {
            var indexes = provider == "postgres"
                ? "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'case_recipients' AND indexname = 'case_recipients_user'"
                : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'case_recipients_user'";
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>(indexes));
            Assert.Equal(ProductSchema.Version, await connection.ExecuteScalarAsync<long>("SELECT value FROM meta WHERE key = 'product_schema'"));
        }

        // The earlier case's users count toward today's limit, as before the upgrade.
        var cases = new CaseStore(engine);
        var next = await cases.RecordRecipientsAsync("next", Payload, [1, 3], 50, DateTimeOffset.FromUnixTimeMilliseconds(earlier).AddHours(2), OneADay);
        Assert.Equal(1, next.Suppressed);
        Assert.Equal([3L], next.Batches.SelectMany(b => b.UserIds));

        // Erasure finds the user's rows in both earlier cases (the count reads the whole table).
        var residents = new ResidentStore(engine);
        Assert.Equal(2, await residents.CountRowsAboutAsync(2));
        await residents.EraseUserAsync(2);
        Assert.Equal(0, await residents.CountRowsAboutAsync(2));
        Assert.Equal(2, await residents.CountRowsAboutAsync(1)); // its recipient row and the suppressed one of "next"
    }
}
