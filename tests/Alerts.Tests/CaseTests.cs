using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>What an admin may and may not do with a case, and the errors they get.</summary>
public sealed class CaseTests : IAsyncLifetime
{
    private AlertsSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    public static TheoryData<string, CaseDefinition, string> BadDefinitions => new()
    {
        { "latitude", new CaseDefinition(95, 10, null, "m", "https://a.example/x"), "latitude" },
        { "longitude NaN", new CaseDefinition(10, double.NaN, null, "m", "https://a.example/x"), "longitude" },
        { "radius zero", new CaseDefinition(10, 10, 0, "m", "https://a.example/x"), "radiusMeters" },
        { "radius over the maximum", new CaseDefinition(10, 10, 500_001, "m", "https://a.example/x"), "radiusMeters" },
        { "empty message", new CaseDefinition(10, 10, null, "  ", "https://a.example/x"), "message" },
        { "long message", new CaseDefinition(10, 10, null, new string('x', 1_001), "https://a.example/x"), "message" },
        { "payload over 4 KB", new CaseDefinition(10, 10, null, new string('好', 1_000), "https://a.example/" + new string('好', 450)), "message" },
        { "relative link", new CaseDefinition(10, 10, null, "m", "/c/1"), "link" },
        { "ftp link", new CaseDefinition(10, 10, null, "m", "ftp://a.example/x"), "link" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public async Task A_bad_definition_is_refused_naming_the_field(string name, CaseDefinition definition, string field)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => _silo.Grains.GetGrain<ICaseGrain>("bad-" + name.Replace(' ', '-')).Open(definition));
        Assert.True(ex.ParamName == field || (ex is GeoValidationException g && g.Field == field), $"{name}: {ex.ParamName} / {ex.Message}");
        Assert.Contains(field, ex.Message);
        Assert.Equal(CaseStatus.None, (await _silo.Grains.GetGrain<ICaseGrain>("bad-" + name.Replace(' ', '-')).GetProgress()).Status);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task A_bad_case_id_is_refused(string caseId)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _silo.Grains.GetGrain<ICaseGrain>(caseId).Open(new CaseDefinition(10, 10, null, "m", "https://a.example/x")));
        Assert.Equal("caseId", ex.ParamName);
    }

    [Fact]
    public async Task A_thousand_chinese_characters_fit_a_push()
    {
        var opened = await _silo.Grains.GetGrain<ICaseGrain>("zh").Open(new CaseDefinition(22.5, 114.0, null, new string('好', 1_000), "https://a.example/x"));
        Assert.Equal(CaseStatus.Open, opened.Status);
    }

    [Fact]
    public async Task The_default_radius_is_120_km_and_the_lifecycle_is_enforced()
    {
        var caseGrain = _silo.Grains.GetGrain<ICaseGrain>("life");
        var opened = await caseGrain.Open(new CaseDefinition(10, 10, null, "m", "https://a.example/x"));
        Assert.Equal(120_000, opened.RadiusMeters);
        await Assert.ThrowsAsync<InvalidOperationException>(() => caseGrain.Open(new CaseDefinition(10, 10, null, "m", "https://a.example/x")));
        await Assert.ThrowsAsync<ArgumentException>(() => caseGrain.Widen(100_000));
        Assert.Equal(130_000, (await caseGrain.Widen(130_000)).RadiusMeters);
        Assert.Equal(CaseStatus.Cancelled, (await caseGrain.Close(CaseStatus.Cancelled)).Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => caseGrain.Dispatch());
        await Assert.ThrowsAsync<ArgumentException>(() => _silo.Grains.GetGrain<ICaseGrain>("life-2").Close(CaseStatus.Dispatched));
    }

    [Fact]
    public async Task A_closed_case_pushes_no_late_arrival()
    {
        var residency = _silo.Grains.GetGrain<IResidencyGrain>(0);
        var watcher = new ProgressWatcher();
        var caseGrain = _silo.Grains.GetGrain<ICaseGrain>("closed");
        await caseGrain.Open(new CaseDefinition(10, 10, 5_000, "m", "https://a.example/x"));
        await caseGrain.Watch(_silo.Grains.CreateObjectReference<ICaseObserver>(watcher));
        await caseGrain.Dispatch();
        await watcher.WaitFor(p => p.Status == CaseStatus.Dispatched);
        await caseGrain.Close(CaseStatus.Resolved);

        await residency.Report([new LocationUpdate(77, 10.001, 10.001, AlertsSilo.Epoch)]);
        var progress = await caseGrain.GetProgress();
        Assert.Equal((CaseStatus.Resolved, 0L), (progress.Status, progress.Recipients));
        Assert.Empty(await _silo.Cases.LoadRecipientsAsync("closed"));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task The_durable_expiry_reminder_closes_a_case_once_its_time_is_up_and_not_before(string provider)
    {
        var settings = new Dictionary<string, string?> { ["Alerts:CaseActiveFor"] = "00:02:00" };
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider), null, settings);
        var dispatchedAt = silo.Time.GetUtcNow();
        await silo.DispatchAsync("expiring", new CaseDefinition(22.5, 114.0, 1_000, "m", "https://a.example/x"));
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("expiring");
        var reminders = silo.Services.GetRequiredService<IReminderTable>();
        var reminder = await reminders.ReadRow(caseGrain.GetGrainId(), "expire");
        Assert.NotNull(reminder);
        Assert.True(reminder.StartAt >= (dispatchedAt + TimeSpan.FromMinutes(2)).UtcDateTime, $"first tick {reminder.StartAt:O} comes before the case's time is up");

        // Orleans delivers ticks on its own schedule (its reminder list refreshes every few minutes); the tick itself is what
        // this test drives, on the grain's own remindable interface, at chosen times.
        var remindable = caseGrain.AsReference<IRemindable>();
        Task Tick() => remindable.ReceiveReminder("expire", new TickStatus(reminder.StartAt, reminder.Period, silo.Time.GetUtcNow().UtcDateTime));
        silo.Time.Advance(TimeSpan.FromMinutes(1));
        await Tick();
        Assert.Equal(CaseStatus.Dispatched, (await caseGrain.GetProgress()).Status);

        silo.Time.Advance(TimeSpan.FromMinutes(1));
        await Tick();
        Assert.Equal(CaseStatus.Expired, (await caseGrain.GetProgress()).Status);
        Assert.Null(await reminders.ReadRow(caseGrain.GetGrainId(), "expire"));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_case_whose_time_ran_out_while_the_silo_was_down_expires_as_the_silo_starts(string provider)
    {
        var store = StorageKind.Fresh(provider);
        var time = new ManualTimeProvider(AlertsSilo.Epoch);
        var settings = new Dictionary<string, string?> { ["Alerts:CaseActiveFor"] = "00:02:00" };
        await using (var silo = await AlertsSilo.StartAsync(store, time, settings))
            await silo.DispatchAsync("expiring", new CaseDefinition(22.5, 114.0, 1_000, "m", "https://a.example/x"));

        time.Advance(TimeSpan.FromMinutes(3));
        await using var again = await AlertsSilo.StartAsync(store, time, settings);
        Assert.Equal(CaseStatus.Expired, (await again.Grains.GetGrain<ICaseGrain>("expiring").GetProgress()).Status);
    }

    [Fact]
    public async Task Cases_are_listed_most_recently_changed_first_filtered_by_state_and_limited()
    {
        foreach (var id in new[] { "list-a", "list-b", "list-c" })
        {
            await _silo.Grains.GetGrain<ICaseGrain>(id).Open(new CaseDefinition(10, 10, null, "m", "https://a.example/x"));
            _silo.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await _silo.Grains.GetGrain<ICaseGrain>("list-a").Close(CaseStatus.Cancelled);
        var index = _silo.Grains.GetGrain<ICaseIndexGrain>(0);

        var all = await index.List(null, 10);
        Assert.Equal(["list-a", "list-c", "list-b"], all.Select(c => c.CaseId));
        Assert.Equal(_silo.Time.GetUtcNow(), all[0].UpdatedAt);
        Assert.Equal(["list-c", "list-b"], (await index.List(CaseStatus.Open, 10)).Select(c => c.CaseId));
        Assert.Equal(["list-a"], (await index.List(CaseStatus.Cancelled, 10)).Select(c => c.CaseId));
        Assert.Equal(["list-a", "list-c"], (await index.List(null, 2)).Select(c => c.CaseId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task A_list_limit_outside_1_to_10000_is_refused(int limit)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _silo.Grains.GetGrain<ICaseIndexGrain>(0).List(null, limit));
        Assert.Equal("limit", ex.ParamName);
    }

    [Fact]
    public async Task Dispatching_widening_or_closing_a_case_nobody_filed_is_not_found()
    {
        var missing = _silo.Grains.GetGrain<ICaseGrain>("never-filed");
        Assert.Contains("no case named never-filed", (await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Dispatch())).Message);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Widen(200_000));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Close(CaseStatus.Resolved));
    }
}
