using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>What an admin may and may not do with a case, and the errors they get.</summary>
public sealed class CaseTests : IAsyncLifetime
{
    private AlertsSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private static CaseDefinition Valid => Admins.Case(10, 10, null, "m", "https://a.example/x");

    public static TheoryData<string, CaseDefinition, string> BadDefinitions => new()
    {
        { "latitude", Valid with { Latitude = 95 }, "latitude" },
        { "longitude NaN", Valid with { Longitude = double.NaN }, "longitude" },
        { "radius zero", Valid with { RadiusMeters = 0 }, "radiusMeters" },
        { "radius over the maximum", Valid with { RadiusMeters = 500_001 }, "radiusMeters" },
        { "empty message", Valid with { Message = "  " }, "message" },
        // PostgreSQL refuses a NUL in text (the write would fail, and every retry of it); no UTF-8 has a lone surrogate.
        { "message with NUL", Valid with { Message = "Missing\0child" }, "message" },
        { "child name unpaired surrogate", Valid with { Child = new MissingChild("A\uD800") }, "child.name" },
        { "clothing control character", Valid with { Child = new MissingChild("A", Clothing: "red\u0007") }, "child.clothing" },
        { "place escape sequence", Valid with { LastSeenPlace = "Futian \u001b[31m" }, "lastSeenPlace" },
        { "link with NUL", Valid with { Link = "https://a.example/\0x" }, "link" },
        // Stored as given, but XML cannot hold these two noncharacters: the case could not be exported as CAP.
        { "message noncharacter FFFE", Valid with { Message = "Missing\uFFFEchild" }, "message" },
        { "correction noncharacter FFFF", Valid with { Correction = "Sent in error\uFFFF" }, "correction" },
        { "message over 360", Valid with { Message = new string('x', 361) }, "message" },
        { "payload over 4 KB", Valid with { Message = new string('好', 360), Link = "https://a.example/" + new string('好', 1_200) }, "link" },
        { "relative link", Valid with { Link = "/c/1" }, "link" },
        { "ftp link", Valid with { Link = "ftp://a.example/x" }, "link" },
        { "language", Valid with { Language = "fr" }, "language" },
        { "no child", Valid with { Child = null }, "child" },
        { "child name", Valid with { Child = new MissingChild(" ") }, "child.name" },
        { "child age", Valid with { Child = new MissingChild("A", 18) }, "child.age" },
        { "child sex", Valid with { Child = new MissingChild("A", Sex: (ChildSex)9) }, "child.sex" },
        { "child height", Valid with { Child = new MissingChild("A", HeightCm: 400) }, "child.heightCm" },
        { "clothing", Valid with { Child = new MissingChild("A", Clothing: new string('c', 501)) }, "child.clothing" },
        { "photo", Valid with { Child = new MissingChild("A", PhotoUrl: "photo.jpg") }, "child.photoUrl" },
        { "last seen missing", Valid with { LastSeenAt = null }, "lastSeenAt" },
        { "last seen in the future", Valid with { LastSeenAt = AlertsSilo.Epoch.AddHours(1) }, "lastSeenAt" },
        { "place", Valid with { LastSeenPlace = "" }, "lastSeenPlace" },
        { "police reference", Valid with { PoliceReference = null }, "policeReference" },
        { "phone letters", Valid with { ContactPhone = "call me" }, "contactPhone" },
        { "phone plus inside", Valid with { ContactPhone = "110+1" }, "contactPhone" },
        { "no correction", Valid with { Correction = null }, "correction" },
        { "correction over 360", Valid with { Correction = new string('x', 361) }, "correction" },
        // The alert fits (a short message), the correction with the same link does not: JSON escapes '&' and '<' in 6 bytes.
        { "correction push over 4 KB", Valid with { Link = "https://a.example/?" + new string('&', 480), Correction = new string('<', 360) }, "correction" },
        { "ring not after the last", Valid with { Rings = [new(TimeSpan.FromHours(2), 200_000), new(TimeSpan.FromHours(1), 300_000)] }, "rings" },
        { "ring not wider", Valid with { Rings = [new(TimeSpan.FromHours(1), 100_000)] }, "rings" },
        { "ring over the maximum", Valid with { Rings = [new(TimeSpan.FromHours(1), 600_000)] }, "rings[0].radiusMeters" },
        { "ring after expiry", Valid with { Rings = [new(TimeSpan.FromHours(80), 200_000)] }, "rings" },
        { "translation language twice", Valid with { Translations = [new("zh-CN", "你好"), new("zh-CN", "你好")] }, "translations" },
        { "translation empty", Valid with { Translations = [new("zh-CN", "")] }, "translations[0].message" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public async Task A_bad_definition_is_refused_naming_the_field(string name, CaseDefinition definition, string field)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => _silo.Grains.GetGrain<ICaseGrain>("bad-" + name.Replace(' ', '-')).Open(definition));
        Assert.True(ex.ParamName == field || (ex is GeoValidationException g && g.Field == field), $"{name}: {ex.ParamName} / {ex.Message}");
        Assert.Contains(field.Split('[')[0], ex.Message);
        Assert.Equal(CaseStatus.None, (await _silo.Grains.GetGrain<ICaseGrain>("bad-" + name.Replace(' ', '-')).GetProgress()).Status);
    }

    [Theory]
    [InlineData('\uFFFE')]
    [InlineData('\uFFFF')]
    public void A_noncharacter_XML_cannot_hold_is_refused_naming_the_field_and_its_position(char noncharacter)
    {
        var definition = Valid with { Message = $"Missing{noncharacter}child" };
        var error = Assert.Throws<ArgumentException>(() => CaseDefinitionRules.Validate("nonchar", definition, new AlertsOptions(), AlertsSilo.Epoch));
        Assert.Equal("message", error.ParamName);
        Assert.StartsWith($"message has the noncharacter U+{(int)noncharacter:X4} at character 7", error.Message);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task A_bad_case_id_is_refused(string caseId)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _silo.Grains.GetGrain<ICaseGrain>(caseId).Open(Valid));
        Assert.Equal("caseId", ex.ParamName);
    }

    [Fact]
    public async Task A_360_character_chinese_alert_with_every_detail_fits_a_push()
    {
        var full = Valid with
        {
            Message = new string('好', 360),
            Language = "zh-CN",
            Child = new MissingChild(new string('李', 100), 6, ChildSex.Female, 115, new string('红', 500), new string('发', 500), "https://a.example/photo.jpg"),
            Translations = [new("en", new string('x', 360), new string('y', 360))],
        };
        var opened = await _silo.Grains.GetGrain<ICaseGrain>("zh").Open(full);
        Assert.Equal(CaseStatus.Draft, opened.Status);
        // The push carries the message and the link, nothing else about the child: the app fetches the record.
        var record = await _silo.Grains.GetGrain<ICaseGrain>("zh").GetRecord();
        Assert.Equal(full, record.Definition);
    }

    [Fact]
    public async Task The_default_radius_is_120_km_and_illegal_transitions_name_the_current_state()
    {
        var caseGrain = _silo.Grains.GetGrain<ICaseGrain>("life");
        var opened = await caseGrain.Open(Valid);
        Assert.Equal((CaseStatus.Draft, 120_000.0), (opened.Status, opened.RadiusMeters));
        Assert.Contains("already exists (Draft)", (await Assert.ThrowsAsync<WrongStateException>(() => caseGrain.Open(Valid))).Message);
        Assert.Contains("cannot be approved: it is Draft", (await Assert.ThrowsAsync<WrongStateException>(() => caseGrain.Approve())).Message);
        Assert.Contains("cannot be resolved: it is Draft", (await Assert.ThrowsAsync<WrongStateException>(() => caseGrain.Resolve(null))).Message);
        Assert.Contains("cannot be updated: it is Draft", (await Assert.ThrowsAsync<WrongStateException>(() => caseGrain.Update("new"))).Message);
        await Assert.ThrowsAsync<ArgumentException>(() => caseGrain.Widen(100_000));
        Assert.Equal(130_000, (await caseGrain.Widen(130_000)).RadiusMeters);
        Assert.Equal("reason", (await Assert.ThrowsAsync<ArgumentException>(() => caseGrain.Cancel(" "))).ParamName);
        var unstorable = await Assert.ThrowsAsync<ArgumentException>(() => caseGrain.Cancel("filed\0twice"));
        Assert.Equal(("reason", true), (unstorable.ParamName, unstorable.Message.StartsWith("reason has the control character U+0000 at character 5", StringComparison.Ordinal)));
        Assert.Equal(CaseStatus.Cancelled, (await caseGrain.Cancel("filed twice")).Status);
        Assert.Contains("cannot be submitted: it is Cancelled", (await Assert.ThrowsAsync<WrongStateException>(() => caseGrain.Submit())).Message);
        Assert.Contains("cannot be cancelled: it is Cancelled", (await Assert.ThrowsAsync<WrongStateException>(() => caseGrain.Cancel("again"))).Message);
        Assert.Equal("filed twice", (await caseGrain.GetRecord()).ClosingReason);
    }

    [Fact]
    public async Task A_closing_message_too_large_for_a_push_is_refused_and_the_case_stays_live()
    {
        var caseGrain = _silo.Grains.GetGrain<ICaseGrain>("long-close");
        await _silo.DispatchAsync("long-close", Valid with { Link = "https://a.example/?" + new string('&', 480), RadiusMeters = 5_000 });
        using (Admins.As(Admins.Approver))
        {
            var refused = await Assert.ThrowsAsync<ArgumentException>(() => caseGrain.Resolve(new string('<', 360)));
            Assert.Equal("closingMessage", refused.ParamName);
            Assert.StartsWith("closingMessage makes the push ", refused.Message);
        }

        Assert.Equal(CaseStatus.Active, (await caseGrain.GetProgress()).Status);
    }

    [Fact]
    public async Task A_resolved_case_pushes_no_late_arrival()
    {
        var residency = _silo.Grains.GetGrain<IResidencyGrain>(0);
        var caseGrain = _silo.Grains.GetGrain<ICaseGrain>("closed");
        await _silo.DispatchAsync("closed", Admins.Case(10, 10, 5_000));
        await caseGrain.Resolve(null);

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
        var approvedAt = silo.Time.GetUtcNow();
        await silo.DispatchAsync("expiring", Admins.Case(22.5, 114.0, 1_000));
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("expiring");
        var reminders = silo.Services.GetRequiredService<IReminderTable>();
        var reminder = await reminders.ReadRow(caseGrain.GetGrainId(), "expire");
        Assert.NotNull(reminder);
        Assert.True(reminder.StartAt >= (approvedAt + TimeSpan.FromMinutes(2)).UtcDateTime, $"first tick {reminder.StartAt:O} comes before the case's time is up");

        // Orleans delivers ticks on its own schedule (its reminder list refreshes every few minutes); the tick itself is what
        // this test drives, on the grain's own remindable interface, at chosen times.
        var remindable = caseGrain.AsReference<IRemindable>();
        Task Tick() => remindable.ReceiveReminder("expire", new TickStatus(reminder.StartAt, reminder.Period, silo.Time.GetUtcNow().UtcDateTime));
        silo.Time.Advance(TimeSpan.FromMinutes(1));
        await Tick();
        Assert.Equal(CaseStatus.Active, (await caseGrain.GetProgress()).Status);

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
            await silo.DispatchAsync("expiring", Admins.Case(22.5, 114.0, 1_000));

        time.Advance(TimeSpan.FromMinutes(3));
        await using var again = await AlertsSilo.StartAsync(store, time, settings);
        Assert.Equal(CaseStatus.Expired, (await again.Grains.GetGrain<ICaseGrain>("expiring").GetProgress()).Status);
    }

    [Fact]
    public async Task Cases_are_listed_most_recently_changed_first_filtered_by_state_and_limited()
    {
        foreach (var id in new[] { "list-a", "list-b", "list-c" })
        {
            await _silo.Grains.GetGrain<ICaseGrain>(id).Open(Valid);
            _silo.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await _silo.Grains.GetGrain<ICaseGrain>("list-a").Cancel("test");
        var index = _silo.Grains.GetGrain<ICaseIndexGrain>(0);

        var all = await index.List(null, 10);
        Assert.Equal(["list-a", "list-c", "list-b"], all.Select(c => c.CaseId));
        Assert.Equal(_silo.Time.GetUtcNow(), all[0].UpdatedAt);
        Assert.Equal(["list-c", "list-b"], (await index.List(CaseStatus.Draft, 10)).Select(c => c.CaseId));
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
    public async Task Any_move_on_a_case_nobody_filed_is_not_found()
    {
        var missing = _silo.Grains.GetGrain<ICaseGrain>("never-filed");
        Assert.Contains("no case named never-filed", (await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Approve())).Message);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Submit());
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Widen(200_000));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Resolve(null));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Cancel("x"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Update("x"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.Extend(TimeSpan.FromHours(1)));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.GetRecord());
    }
}
