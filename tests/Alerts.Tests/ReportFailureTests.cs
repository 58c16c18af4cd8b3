using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace Alerts.Tests;

/// <summary>
/// Reports whose cell calls fail, before the grain ran them or after (the answer lost): each user ends in exactly one
/// block, the one with their newest fix, whether the gateway retries or a newer fix comes first; opt-outs and erasures
/// reach every block that may hold the user; the rows agree. Each runs on one SQLite silo, and on two PostgreSQL silos
/// in one cluster, where each grain lands on either silo at random, so a block's writer is often not its neighbour's.
/// </summary>
public sealed class ReportFailureTests
{
    private static readonly int Blocks = new Grains.AlertsOptions().BlockPrecision;

    // Four places in four blocks.
    private static readonly (double Lat, double Lon) A = (22.54, 114.05), B = (23.10, 113.30), C = (31.0, 121.0), D = (40.0, 10.0);

    // One shard, so every user of a report is in the same shard's part of it; its settling timer kept out of the way,
    // so each test settles at the points it chooses (a report, or Settle).
    private static readonly Dictionary<string, string?> OneShard = new() { ["Alerts:DirectoryShards"] = "1", ["Alerts:DispatchRetryDelay"] = "01:00:00" };

    private static LocationUpdate At(long userId, (double Lat, double Lon) place, DateTimeOffset fix) => new(userId, place.Lat, place.Lon, fix);

    private static ICellGrain BlockOf(AlertsSilo silo, (double Lat, double Lon) place) => silo.Grains.GetCell(Geohash.Encode(place.Lat, place.Lon, Blocks));

    private static Task<int> Count(AlertsSilo silo, (double Lat, double Lon) place) => BlockOf(silo, place).Count();

    private static Task Settle(AlertsSilo silo) => silo.Grains.GetGrain<IResidencyGrain>(0).Settle();

    // The users whose stored row is at the place's cell, as "1,2".
    private static async Task<string> RowsAt(AlertsSilo silo, (double Lat, double Lon) place) =>
        string.Join(",", (await silo.Residents.LoadCellAsync(Geohash.Encode(place.Lat, place.Lon, new Grains.AlertsOptions().CellPrecision))).Select(r => r.UserId).Order());

    /// <summary>The silos of one test: calls go through the first; the filter fails calls on either.</summary>
    private sealed record Setup(AlertsSilo Silo, AlertsSilo? Second, CellCallFaults Faults, IResidencyGrain Residency) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Second is not null) await Second.DisposeAsync();
            await Silo.DisposeAsync();
        }
    }

    public static TheoryData<string> Clusters => new() { "sqlite", "postgres, two silos" };

    private static async Task<Setup> StartAsync(string cluster, Dictionary<string, string?>? more = null)
    {
        var faults = new CellCallFaults();
        var settings = new Dictionary<string, string?>(OneShard);
        foreach (var (key, value) in more ?? []) settings[key] = value;
        var store = StorageKind.Fresh(cluster == "sqlite" ? "sqlite" : "postgres");
        if (cluster == "sqlite")
        {
            var silo = await AlertsSilo.StartAsync(store, settings: settings, services: faults.AddTo);
            return new Setup(silo, null, faults, silo.Grains.GetGrain<IResidencyGrain>(0));
        }

        settings["Alerts:Cluster:ClusterId"] = "failures-" + Guid.NewGuid().ToString("N")[..6];
        var first = await AlertsSilo.StartAsync(store, settings: settings, services: faults.AddTo);
        try
        {
            var second = await AlertsSilo.StartAsync(store, settings: settings, services: faults.AddTo);
            return new Setup(first, second, faults, first.Grains.GetGrain<IResidencyGrain>(0));
        }
        catch
        {
            await first.DisposeAsync();
            throw;
        }
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task When_one_block_fails_a_report_its_users_roll_back_and_the_others_stay_where_they_were_taken(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch), At(2, A, AlertsSilo.Epoch)]);

        var moved = AlertsSilo.Epoch.AddMinutes(1);
        List<LocationUpdate> report = [At(1, B, moved), At(2, C, moved)];
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert));
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => residency.Report(report));
        Assert.Contains("injected failure", failed.Message);
        Assert.Equal(1, faults.Failed);
        // User 1 is in B, which took them, and left A; user 2 is still in A, and only there.
        Assert.Equal((1, 1, 0), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));

        // A newer fix of user 1's comes before any retry (or the retry is lost): they leave B, and no block keeps them.
        await residency.Report([At(1, D, moved.AddMinutes(1))]);
        await Settle(silo);
        Assert.Equal((1, 0, 0, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C), await Count(silo, D)));

        // The gateway's retry of the failed report: user 1's fix there is older now and ignored, user 2's is applied.
        var retry = await residency.Report(report);
        Assert.Equal((1, 1), (retry.Applied, retry.Ignored));
        Assert.Equal((0, 0, 1, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C), await Count(silo, D)));
        Assert.Equal(("", "", "2", "1"), (await RowsAt(silo, A), await RowsAt(silo, B), await RowsAt(silo, C), await RowsAt(silo, D)));
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task A_departure_that_fails_is_owed_and_made_before_the_shards_next_report(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);

        var moved = AlertsSilo.Epoch.AddMinutes(1);
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Remove));
        // Answered: the position it gave is written where it now stands.
        var result = await residency.Report([At(1, B, moved)]);
        Assert.Equal((1, 0), (result.Applied, result.Ignored));
        Assert.Equal(("", "1"), (await RowsAt(silo, A), await RowsAt(silo, B)));
        // For now in both: B took the user, A could not let them go.
        Assert.Equal((1, 1), (await Count(silo, A), await Count(silo, B)));

        // The shard's next report, here another user's, first makes the removal it owes.
        await residency.Report([At(2, C, moved)]);
        Assert.Equal((0, 1, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));
        Assert.Equal(1, faults.Failed);
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task An_owed_departure_is_tried_again_until_made_and_never_takes_a_user_who_came_back(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);

        // A keeps failing removals: the move's, and the owed one tried before each of the next two reports.
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Remove), times: 3);
        await residency.Report([At(1, B, AlertsSilo.Epoch.AddMinutes(1))]);

        // A report does not fail for a removal owed from an earlier one.
        var other = await residency.Report([At(2, C, AlertsSilo.Epoch.AddMinutes(1))]);
        Assert.Equal((1, 0), (other.Applied, other.Ignored));
        Assert.Equal((1, 1), (await Count(silo, A), await Count(silo, B)));

        // User 1 comes back to A while the removal is still owed; they leave B as ever.
        var back = await residency.Report([At(1, A, AlertsSilo.Epoch.AddMinutes(2))]);
        Assert.Equal((1, 0), (back.Applied, back.Ignored));
        Assert.Equal(3, faults.Failed);

        // The next report finds the owed removal out of date (A is user 1's block again) and leaves them there.
        await residency.Report([At(2, C, AlertsSilo.Epoch.AddMinutes(2))]);
        Assert.Equal(3, faults.Failed);
        Assert.Equal((1, 0, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));
        Assert.Equal(("1", ""), (await RowsAt(silo, A), await RowsAt(silo, B)));
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task A_block_that_took_users_but_whose_answer_was_lost_keeps_them_and_their_old_block_lets_them_go(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);

        List<LocationUpdate> report = [At(1, C, AlertsSilo.Epoch.AddMinutes(1))];
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert), afterRunning: true);
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => residency.Report(report));
        Assert.Contains("after running", failed.Message);
        // Rolled back to A, as the directory cannot tell; C took the user all the same.
        Assert.Equal((1, 1), (await Count(silo, A), await Count(silo, C)));

        // C's answer: it holds the newer fix, so the user is in C, and leaves A.
        await Settle(silo);
        Assert.Equal((0, 1), (await Count(silo, A), await Count(silo, C)));
        Assert.Equal(("", "1"), (await RowsAt(silo, A), await RowsAt(silo, C)));

        // The directory knows it: a newer fix moves the user out of C, and the retry of the failed report is old now.
        await residency.Report([At(1, B, AlertsSilo.Epoch.AddMinutes(2))]);
        var retry = await residency.Report(report);
        Assert.Equal((0, 1), (retry.Applied, retry.Ignored));
        Assert.Equal((0, 1, 0), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));
        Assert.Equal(("", "1", ""), (await RowsAt(silo, A), await RowsAt(silo, B), await RowsAt(silo, C)));
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task A_block_that_answers_after_a_newer_fix_moved_the_user_on_lets_its_older_one_go(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert), afterRunning: true);
        // Its first answer is lost too.
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Held));
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, C, AlertsSilo.Epoch.AddMinutes(1))]));

        // A newer fix moves the user on from A, where the directory has them; C still holds the older one.
        var moved = await residency.Report([At(1, B, AlertsSilo.Epoch.AddMinutes(2))]);
        Assert.Equal((1, 0), (moved.Applied, moved.Ignored));
        Assert.Equal((0, 1, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));

        // C, asked again, holds an older fix than the directory's: it lets the user go.
        await Settle(silo);
        Assert.Equal(2, faults.Failed);
        Assert.Equal((0, 1, 0), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));
        Assert.Equal(("", "1", ""), (await RowsAt(silo, A), await RowsAt(silo, B), await RowsAt(silo, C)));
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task An_opt_out_reaches_a_block_whose_answer_is_unknown_so_it_holds_when_the_user_is_found_there(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert), afterRunning: true);
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, C, AlertsSilo.Epoch.AddMinutes(1))]));

        await residency.SetOptOut(1, true);
        await Settle(silo);
        Assert.Equal((0, 1), (await Count(silo, A), await Count(silo, C)));
        var collected = await BlockOf(silo, C).Collect(new ActiveCase("opted-out", C.Lat, C.Lon, 10_000, AlertsSilo.Epoch.AddDays(1)));
        Assert.Empty(collected.UserIds);
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task A_user_erased_while_blocks_may_still_hold_them_is_erased_there_too_and_never_comes_back(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch), At(2, A, AlertsSilo.Epoch)]);
        // User 2: A cannot let them go when they move to B, nor when the removal is tried again before the next report.
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Remove), times: 2);
        await residency.Report([At(2, B, AlertsSilo.Epoch.AddMinutes(1))]);
        // User 1: C takes them but its answer is lost (and nothing settles before the erasures: its answer is not taken).
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert), afterRunning: true);
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, C, AlertsSilo.Epoch.AddMinutes(1))]));
        Assert.Equal(3, faults.Failed);
        Assert.Equal((2, 1, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));

        await residency.Erase(1);
        await residency.Erase(2);
        Assert.Equal((0, 0, 0), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));

        // Whatever C answers about user 1 is passed over, and nothing pending writes a row back.
        await Settle(silo);
        await BlockOf(silo, C).Flush();
        Assert.Equal((0, 0, 0), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));
        Assert.Equal((0, 0), (await silo.Residents.CountRowsAboutAsync(1), await silo.Residents.CountRowsAboutAsync(2)));

        // The directory has forgotten them: a fix older than any they gave before is a first one again.
        var again = await residency.Report([At(1, D, AlertsSilo.Epoch), At(2, D, AlertsSilo.Epoch)]);
        Assert.Equal((2, 0), (again.Applied, again.Ignored));
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task An_owed_departure_waits_while_that_block_has_not_answered_for_the_user_so_their_row_stays(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);
        // The user leaves A, which cannot let them go (owed), then comes back to A, which takes them but whose answer
        // and first question are lost; the owed removal fails again meanwhile.
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Remove), times: 2);
        await residency.Report([At(1, B, AlertsSilo.Epoch.AddMinutes(1))]);
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Upsert), afterRunning: true);
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Held));
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, A, AlertsSilo.Epoch.AddMinutes(2))]));
        await BlockOf(silo, A).Flush();
        Assert.Equal(("1", ""), (await RowsAt(silo, A), await RowsAt(silo, B)));

        // The removal owed from A must not run before A answers: it would take the user, and their row, from the block
        // that holds their newest fix. A's answer puts them there.
        await residency.Report([At(2, D, AlertsSilo.Epoch.AddMinutes(2))]);
        await Settle(silo);
        await BlockOf(silo, A).Flush();
        await BlockOf(silo, B).Flush();
        Assert.Equal(4, faults.Failed);
        Assert.Equal((1, 0), (await Count(silo, A), await Count(silo, B)));
        Assert.Equal(("1", ""), (await RowsAt(silo, A), await RowsAt(silo, B)));
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task A_user_sent_again_to_a_block_while_its_answer_is_on_the_way_is_settled_by_a_later_answer(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch), At(2, A, AlertsSilo.Epoch)]);
        var moved = AlertsSilo.Epoch.AddMinutes(1);
        // The first send fails before C runs it; the question that follows is held at C.
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert));
        var question = faults.HoldNext(BlockOf(silo, C), nameof(ICellGrain.Held));
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, C, moved)]));
        await question.Arrived;

        // The gateway's retry, with a user for D: once D's part has arrived, the shard has passed its settling and sent
        // C's part, which waits behind the question. C then takes the user, and this answer is lost.
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert), afterRunning: true);
        var toD = faults.HoldNext(BlockOf(silo, D), nameof(ICellGrain.Upsert));
        var retry = residency.Report([At(1, C, moved), At(2, D, moved)]);
        await toD.Arrived;
        question.Release();
        toD.Release();
        await Assert.ThrowsAnyAsync<Exception>(() => retry);
        Assert.Equal((1, 1, 1), (await Count(silo, A), await Count(silo, C), await Count(silo, D)));

        // The question's answer ("not held") predates the retry and settles nothing; C asked again holds the newer fix.
        await Settle(silo);
        Assert.Equal((0, 1, 1), (await Count(silo, A), await Count(silo, C), await Count(silo, D)));
        // User 2's move to D was never acknowledged (the report failed), so its row is written by D's silo in its time.
        await BlockOf(silo, D).Flush();
        Assert.Equal(("", "1", "2"), (await RowsAt(silo, A), await RowsAt(silo, C), await RowsAt(silo, D)));
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task A_user_whose_old_block_also_has_yet_to_answer_stays_where_the_newest_answer_puts_them(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);
        // C takes the user's next fix and its answer is lost; its question is held until both blocks are to answer.
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert), afterRunning: true);
        var question = faults.HoldNext(BlockOf(silo, C), nameof(ICellGrain.Held));
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, C, AlertsSilo.Epoch.AddMinutes(1))]));
        await question.Arrived;
        // Back in A, newer still: A takes it, and its answer is lost too.
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Upsert), afterRunning: true);
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, A, AlertsSilo.Epoch.AddMinutes(2))]));
        question.Release();

        // C's answer (newer than the directory's rolled-back fix) must not take the user from A, whose answer is newer.
        await Settle(silo);
        await BlockOf(silo, A).Flush();
        await BlockOf(silo, C).Flush();
        Assert.Equal((1, 0), (await Count(silo, A), await Count(silo, C)));
        Assert.Equal(("1", ""), (await RowsAt(silo, A), await RowsAt(silo, C)));
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task What_failures_left_shows_in_the_stats_and_an_operator_settles_it_on_demand(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        var stats = silo.Grains.GetGrain<IStatsGrain>(0);
        await residency.Report([At(1, A, AlertsSilo.Epoch), At(2, A, AlertsSilo.Epoch)]);
        Assert.Equal(UnsettledResidency.None, (await stats.Get()).Unsettled);

        // User 1 leaves A, which cannot let them go (nor at the start of the next report); user 2's new block C fails.
        var moved = AlertsSilo.Epoch.AddMinutes(1);
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Remove), times: 2);
        await residency.Report([At(1, B, moved)]);
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert));
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(2, C, moved)]));
        Assert.Equal(new UnsettledResidency(OwedRemovals: 1, AwaitingAnswer: 1), (await stats.Get()).Unsettled);

        // A block that still fails is reported as left, not hidden: settling waits for C's answer, A's removal fails again.
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Remove), times: 2);
        Assert.Equal(new UnsettledResidency(OwedRemovals: 1, AwaitingAnswer: 0), await residency.Settle());
        Assert.Equal((2, 1, 0), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));

        // Once A answers again, the operator's settle leaves nothing, and each user is in one block.
        Assert.Equal(UnsettledResidency.None, await residency.Settle());
        Assert.Equal(UnsettledResidency.None, (await stats.Get()).Unsettled);
        Assert.Equal((1, 1, 0), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));
        var audited = await silo.Grains.GetGrain<IAuditLogGrain>(0).Read("residency", 0, 10);
        Assert.Equal(["left: removals owed 1, users awaiting a block's answer 0", "left: removals owed 0, users awaiting a block's answer 0"],
            audited.Where(e => e.Action == "residency.settle").Select(e => e.Detail));
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task A_block_that_hangs_holds_up_an_operators_settle_but_not_the_shards_reports(string cluster)
    {
        await using var setup = await StartAsync(cluster);
        var (silo, _, faults, residency) = setup;
        var shard = silo.Grains.GetGrain<IUserDirectoryGrain>(0);
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);
        // User 1's move to C fails, and C's answer to the question that follows is held (its silo hangs).
        var moved = AlertsSilo.Epoch.AddMinutes(1);
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert));
        var question = faults.HoldNext(BlockOf(silo, C), nameof(ICellGrain.Held));
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, C, moved)]));
        await question.Arrived;

        // The operator's settle waits for the answer; the shard does not, so it still settles and takes reports meanwhile.
        var settling = residency.Settle();
        Assert.Equal(new UnsettledResidency(OwedRemovals: 0, AwaitingAnswer: 1), await shard.Settle());
        await residency.Report([At(2, D, moved)]);
        Assert.Equal((1, 1), (await Count(silo, A), await Count(silo, D)));
        Assert.False(settling.IsCompleted);

        // C answers (it never took user 1): the settle ends with nothing left, and the retry then moves the user.
        question.Release();
        Assert.Equal(UnsettledResidency.None, await settling);
        Assert.Equal(0, await Count(silo, C));
        await residency.Report([At(1, C, moved)]);
        Assert.Equal((0, 1, 1), (await Count(silo, A), await Count(silo, C), await Count(silo, D)));
    }

    [Fact]
    public async Task An_operators_settle_while_a_block_hangs_past_every_call_timeout_says_what_is_left()
    {
        // Calls inside the silo time out after 3 s here (30 s by default); the operator's settle is allowed longer.
        await using var setup = await StartAsync("sqlite", new() { [AlertsSilo.ResponseTimeoutSetting] = "00:00:03" });
        var (silo, _, faults, residency) = setup;
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);
        faults.FailNext(BlockOf(silo, C), nameof(ICellGrain.Upsert));
        var question = faults.HoldNext(BlockOf(silo, C), nameof(ICellGrain.Held));
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, C, AlertsSilo.Epoch.AddMinutes(1))]));
        await question.Arrived;

        // C never answers while the settle runs: its questions time out, and the operator is told what is left.
        Assert.Equal(new UnsettledResidency(OwedRemovals: 0, AwaitingAnswer: 1), await residency.Settle());
        question.Release();
        Assert.Equal(UnsettledResidency.None, await residency.Settle());
        Assert.Equal((1, 0), (await Count(silo, A), await Count(silo, C)));
    }

    [Fact]
    public async Task A_shard_gone_with_removals_owed_is_settled_by_its_next_activation_from_the_journal()
    {
        // Two PostgreSQL silos: with one silo the journal is off, since a shard dies only together with every block.
        await using var setup = await StartAsync("postgres, two silos");
        var (silo, _, faults, residency) = setup;
        var journal = silo.Services.GetRequiredService<Grains.MoveJournal>();
        long Packed((double Lat, double Lon) place, int precision) => Geohash.Encode(place.Lat, place.Lon, precision).Packed;
        async Task<List<List<long>>> UsersByRow() => (await journal.ReadAsync(0)).Select(r => r.Moves.Select(m => m.UserId).Order().ToList()).ToList();
        await residency.Report([At(1, A, AlertsSilo.Epoch), At(2, A, AlertsSilo.Epoch), At(3, A, AlertsSilo.Epoch), At(4, A, AlertsSilo.Epoch)]);

        // A cannot let users 1 and 3 go, nor, in the next report, user 4: the removals are owed, and both reports'
        // moves stay in the journal while they are.
        var moved = AlertsSilo.Epoch.AddMinutes(1);
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Remove), times: 3);
        await residency.Report([At(1, B, moved), At(3, C, moved)]);
        await residency.Report([At(4, D, moved)]);
        Assert.Equal((4, 1, 1, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C), await Count(silo, D)));
        Assert.Equal([[1, 3], [4]], await UsersByRow());

        // An erasure takes the user out of the journal and leaves the others.
        await residency.Erase(3);
        Assert.Equal([[1], [4]], await UsersByRow());
        // A row from before a change of BlockPrecision names blocks of another size: replaying it would ask A's parent,
        // which holds user 2, and remove them from it, deleting their row.
        await journal.BeginAsync(0, 1_000, [], [new Grains.JournaledMove(2, Packed(C, Blocks - 1), Packed(A, Blocks - 1))]);

        // The shard goes, and with it what it owed (as when its silo dies; there the removal in flight is lost too).
        await silo.Grains.GetGrain<IUserDirectoryGrain>(0).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.Equal(3, await Count(silo, A));

        // Its next activation reads the journal: B and D are asked, A lets users 1 and 4 go; nothing is left.
        Assert.Equal(UnsettledResidency.None, await residency.Settle());
        Assert.Equal((1, 1, 0, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C), await Count(silo, D)));
        // Both writers that could hold a removal of user 2 (A's, and that of A's parent, had the shard asked it) have written.
        await BlockOf(silo, A).Flush();
        await silo.Grains.GetCell(Geohash.Encode(A.Lat, A.Lon, Blocks - 1)).Flush();
        Assert.Equal("2", await RowsAt(silo, A));

        // Settled and written, the rows go with the next report's.
        await residency.Report([At(1, C, moved.AddMinutes(1))]);
        Assert.Equal([[1]], await UsersByRow());
        Assert.Equal((0, 1), (await Count(silo, B), await Count(silo, C)));
    }
}
