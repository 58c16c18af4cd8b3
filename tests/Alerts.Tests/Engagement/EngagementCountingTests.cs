using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>Honest counting on both engines: each user's delivery and open once, strangers refused, figures rebuilt after a restart.</summary>
public sealed class EngagementCountingTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Each_users_open_counts_once_across_reports_and_restarts(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t = s.Now;
        var n = s.Recipients.Count;

        var deliveries = await s.Intake.Report(s.Recipients.Select(u => EngagementEvent.Delivered(s.CaseId, u, t)).ToList());
        Assert.Equal((n, 0, 0, 0), (deliveries.Counted, deliveries.Repeated, deliveries.Refused, deliveries.Rejected));

        // Ten recipients open twice in one report, then again in the next with a delivery repeated.
        var openers = s.Recipients.Take(10).ToList();
        var opens = await s.Intake.Report(openers.Concat(openers).Select(u => EngagementEvent.Opened(s.CaseId, u, t)).ToList());
        Assert.Equal((10, 10), (opens.Counted, opens.Repeated));
        var again = await s.Intake.Report([.. openers.Select(u => EngagementEvent.Opened(s.CaseId, u, t.AddSeconds(5))), EngagementEvent.Delivered(s.CaseId, s.Recipients[0], t)]);
        Assert.Equal((0, 11), (again.Counted, again.Repeated));

        var stats = await s.Case.GetStats();
        Assert.Equal(CaseStatus.Active, stats.Status);
        Assert.Equal((n, n, 10L, 10L, 0L, 0L), (stats.Pushed, stats.Delivered, stats.Opened, stats.OpenedByPushed, stats.OpensThroughShares, stats.Refused));
        Assert.Equal(10.0 / n, stats.OpenRate, 12);

        // A new activation on the same tables: the same figures, and the same opens are still repeats.
        await s.RestartAsync();
        var reloaded = await s.Case.GetStats();
        Assert.Equal((stats.Pushed, stats.Delivered, stats.Opened, stats.OpenedByPushed, stats.OpenRate), (reloaded.Pushed, reloaded.Delivered, reloaded.Opened, reloaded.OpenedByPushed, reloaded.OpenRate));
        Assert.Equal(stats.Cells, reloaded.Cells);
        Assert.Equal(stats.Timeline, reloaded.Timeline);
        var afterRestart = await s.Intake.Report(openers.Select(u => EngagementEvent.Opened(s.CaseId, u, t)).ToList());
        Assert.Equal((0, 10), (afterRestart.Counted, afterRestart.Repeated));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_user_neither_pushed_nor_invited_is_refused_and_counted_as_refused(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t = s.Now;
        var outsider = s.Outsiders[0];
        const long nobody = 9_000_001;

        var result = await s.ReportAsync(
            EngagementEvent.Delivered(s.CaseId, outsider, t),
            EngagementEvent.Opened(s.CaseId, outsider, t),
            EngagementEvent.Shared(s.CaseId, outsider, t, ShareChannel.Friend),
            EngagementEvent.Sighted(s.CaseId, nobody, t, new SightingDetails(22.5, 114.0, "saw her")),
            EngagementEvent.Opened(s.CaseId, s.Recipients[0], t));

        Assert.Equal((1, 4, 0), (result.Counted, result.Refused, result.Rejected));
        Assert.Equal([0, 1, 2, 3], result.Rejections.Select(r => r.Index));
        Assert.All(result.Rejections, r => Assert.True(r.Refused && r.Field == "userId", r.ToString()));
        Assert.Contains($"user {outsider} was not pushed for case {s.CaseId}", result.Rejections[0].Reason);
        Assert.Contains("nor came through a share link", result.Rejections[1].Reason);
        Assert.Equal(nobody, result.Rejections[3].UserId);
        Assert.Empty(result.Shares);

        var stats = await s.Case.GetStats();
        Assert.Equal((0L, 1L, 0L, 0L, 4L), (stats.Delivered, stats.Opened, stats.Shares, stats.Sightings, stats.Refused));
        await s.RestartAsync();
        Assert.Equal(4, (await s.Case.GetStats()).Refused);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_resent_report_counts_its_refusals_once_also_after_a_restart(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t = s.Now;
        var (outsider, recipient) = (s.Outsiders[0], s.Recipients[0]);
        EngagementEvent[] report =
        [
            EngagementEvent.Delivered(s.CaseId, recipient, t),
            EngagementEvent.Delivered(s.CaseId, outsider, t),
            EngagementEvent.Shared(s.CaseId, outsider, t, ShareChannel.Friend),
            EngagementEvent.Shared(s.CaseId, outsider, t, ShareChannel.Group),
            EngagementEvent.Shared(s.CaseId, outsider, t, ShareChannel.Group),
        ];

        // The gateway's reply lists every refusal each time; the case counts each refused event once.
        var first = await s.ReportAsync(report);
        Assert.Equal((1, 4), (first.Counted, first.Refused));
        var resent = await s.ReportAsync(report);
        Assert.Equal((0, 1, 4), (resent.Counted, resent.Repeated, resent.Refused));
        Assert.Equal(3, (await s.Case.GetStats()).Refused);

        await s.RestartAsync();
        Assert.Equal(3, (await s.Case.GetStats()).Refused);
        await s.ReportAsync(report);
        // A new refusal still counts.
        await s.ReportAsync(EngagementEvent.Delivered(s.CaseId, outsider, t.AddSeconds(1)));
        Assert.Equal(4, (await s.Case.GetStats()).Refused);

        // What a build of schema 1 counted still counts, also in shards beyond today's count (Engagement:Shards lowered).
        await using (var connection = await s.Silo.Services.GetRequiredService<StoreEngine>().OpenAsync())
            await connection.ExecuteAsync("INSERT INTO engagement_refused (case_id, shard, refused) VALUES (@caseId, 0, 5), (@caseId, 255, 2)", new { caseId = s.CaseId });
        await s.RestartAsync();
        Assert.Equal(11, (await s.Case.GetStats()).Refused);
    }

    [Fact]
    public async Task A_case_nobody_filed_is_not_found()
    {
        await using var s = await EngagementScenario.StartAsync("sqlite");
        var typo = s.Silo.Grains.GetGrain<ICaseEngagementGrain>("no-such-case");
        // Events sent under the mistyped id are refused and stored as refusals: they do not make it a case.
        var refused = await s.ReportAsync(EngagementEvent.Delivered("no-such-case", s.Recipients[0], s.Now));
        Assert.Equal((0, 1), (refused.Counted, refused.Refused));
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => typo.GetStats());
        Assert.Equal("no case named no-such-case", error.Message);
        Assert.Equal("no case named no-such-case", (await Assert.ThrowsAsync<KeyNotFoundException>(() => typo.GetSharerReach(s.Recipients[0]))).Message);
        Assert.Equal("no case named no-such-case", (await Assert.ThrowsAsync<KeyNotFoundException>(() => typo.ListSightings(10))).Message);
    }

    [Fact]
    public async Task A_shard_beyond_the_configured_count_refuses_to_activate_naming_the_setting()
    {
        // A silo configured with more shards than this one would send its users to shards nobody reads the figures of.
        await using var s = await EngagementScenario.StartAsync("sqlite");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => s.Silo.Grains.GetEngagementShard(s.CaseId, 1).GetFigures());
        Assert.Contains("engagement shard 1 does not exist: Alerts:Engagement:Shards is 1 (every silo of a cluster needs the same value)", error.ToString());
    }

    [Fact]
    public async Task A_shard_whose_write_failed_counts_again_from_the_tables()
    {
        await using var s = await EngagementScenario.StartAsync("sqlite");
        var (first, second) = (s.Recipients[0], s.Recipients[1]);
        await using var connection = await s.Silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        await connection.ExecuteAsync("CREATE TRIGGER refuse_deliveries BEFORE INSERT ON engagement_deliveries BEGIN SELECT RAISE(ABORT, 'deliveries refused'); END");
        await Assert.ThrowsAnyAsync<Exception>(() => s.ReportAsync(EngagementEvent.Delivered(s.CaseId, first, s.Now)));
        await connection.ExecuteAsync("DROP TRIGGER refuse_deliveries");

        // A row the failed activation never counted (its commit's answer lost, or another activation's): the figures
        // come from the tables again, not from a tally that missed it.
        await connection.ExecuteAsync("INSERT INTO engagement_deliveries (case_id, user_id, at_ms, cell) VALUES (@caseId, @first, @at, @cell)",
            new { caseId = s.CaseId, first, at = s.Now.ToUnixTimeMilliseconds(), cell = s.Cells[first] });
        var retry = await s.ReportAsync(EngagementEvent.Delivered(s.CaseId, first, s.Now), EngagementEvent.Delivered(s.CaseId, second, s.Now));
        Assert.Equal((1, 1), (retry.Counted, retry.Repeated));
        Assert.Equal(2, (await s.Case.GetStats()).Delivered);
    }
}
