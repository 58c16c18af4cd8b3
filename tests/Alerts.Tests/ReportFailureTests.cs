using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// Reports whose cell calls partly fail: each user ends in exactly one block, whether the gateway retries or a newer fix
/// comes first, and the rows agree.
/// </summary>
public sealed class ReportFailureTests
{
    private static readonly int Blocks = new Grains.AlertsOptions().BlockPrecision;

    // Five places in five blocks.
    private static readonly (double Lat, double Lon) A = (22.54, 114.05), B = (23.10, 113.30), C = (31.0, 121.0), D = (40.0, 10.0);

    // One shard, so every user of a report is in the same shard's part of it.
    private static readonly Dictionary<string, string?> OneShard = new() { ["Alerts:DirectoryShards"] = "1" };

    private static LocationUpdate At(long userId, (double Lat, double Lon) place, DateTimeOffset fix) => new(userId, place.Lat, place.Lon, fix);

    private static ICellGrain BlockOf(AlertsSilo silo, (double Lat, double Lon) place) => silo.Grains.GetCell(Geohash.Encode(place.Lat, place.Lon, Blocks));

    private static Task<int> Count(AlertsSilo silo, (double Lat, double Lon) place) => BlockOf(silo, place).Count();

    // The users whose stored row is at the place's cell, as "1,2".
    private static async Task<string> RowsAt(AlertsSilo silo, (double Lat, double Lon) place) =>
        string.Join(",", (await silo.Residents.LoadCellAsync(Geohash.Encode(place.Lat, place.Lon, new Grains.AlertsOptions().CellPrecision))).Select(r => r.UserId).Order());

    [Fact]
    public async Task When_one_block_fails_a_report_its_users_roll_back_and_the_others_stay_where_they_were_taken()
    {
        var faults = new CellCallFaults();
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: OneShard, services: faults.AddTo);
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
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
        Assert.Equal((1, 0, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, D)));

        // The gateway's retry of the failed report: user 1's fix there is older now and ignored, user 2's is applied.
        var retry = await residency.Report(report);
        Assert.Equal((1, 1), (retry.Applied, retry.Ignored));
        Assert.Equal((0, 0, 1, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C), await Count(silo, D)));
        Assert.Equal(("", "", "2", "1"), (await RowsAt(silo, A), await RowsAt(silo, B), await RowsAt(silo, C), await RowsAt(silo, D)));
    }

    [Fact]
    public async Task A_departure_that_fails_is_made_before_the_shards_next_report()
    {
        var faults = new CellCallFaults();
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: OneShard, services: faults.AddTo);
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);

        var moved = AlertsSilo.Epoch.AddMinutes(1);
        List<LocationUpdate> report = [At(1, B, moved)];
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Remove));
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report(report));
        // For now in both: B took the user, A could not let them go.
        Assert.Equal((1, 1), (await Count(silo, A), await Count(silo, B)));

        // The shard's next report, here another user's, first makes the removal it owes.
        await residency.Report([At(2, C, moved)]);
        Assert.Equal((0, 1, 1), (await Count(silo, A), await Count(silo, B), await Count(silo, C)));

        // The gateway's retry of the failed report is applied and answered; user 1 stays in B, once.
        var retry = await residency.Report(report);
        Assert.Equal((1, 0), (retry.Applied, retry.Ignored));
        Assert.Equal((0, 1), (await Count(silo, A), await Count(silo, B)));
        Assert.Equal(("", "1"), (await RowsAt(silo, A), await RowsAt(silo, B)));
    }

    [Fact]
    public async Task An_owed_departure_is_tried_again_until_made_and_never_takes_a_user_who_came_back()
    {
        var faults = new CellCallFaults();
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: OneShard, services: faults.AddTo);
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        await residency.Report([At(1, A, AlertsSilo.Epoch)]);

        // A keeps failing removals: the move's, and the owed one tried before each of the next two reports.
        faults.FailNext(BlockOf(silo, A), nameof(ICellGrain.Remove), times: 3);
        await Assert.ThrowsAnyAsync<Exception>(() => residency.Report([At(1, B, AlertsSilo.Epoch.AddMinutes(1))]));

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
}
