using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// Residents within a grid step of a case's edge are settled from their exact positions: the writer's while unwritten,
/// the table's once written, the rounded one when neither holds any.
/// </summary>
public sealed class NearEdgeTests
{
    private const double Radius = 5_000;
    private static readonly int Blocks = new Grains.AlertsOptions().BlockPrecision;
    // A circle round the middle of Shenzhen's block, so the whole ring lives in one cell grain.
    private static readonly Geohash Block = Geohash.Encode(22.5431, 114.0579, Blocks);
    private static readonly double Lat = Block.Bounds.Center.Latitude, Lon = Block.Bounds.Center.Longitude;
    private static readonly ActiveCase Case = new("edge", Lat, Lon, Radius, AlertsSilo.Epoch.AddDays(1));

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Positions_not_yet_written_are_settled_from_the_writer_and_written_ones_from_the_table(string provider)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider));
        var cell = silo.Grains.GetCell(Block);
        var ring = Ring(firstUserId: 1);
        var inside = ring.Where(f => GreatCircle.Distance(Lat, Lon, f.Latitude, f.Longitude) <= Radius).Select(f => f.UserId).Order().ToList();
        Assert.Equal(ring.Count / 2, inside.Count);

        // Handed to the cell directly: the writer holds them (its timer follows the test's clock, which stands still).
        await cell.Upsert(ring);
        Assert.Empty(await silo.Residents.LoadPositionsAsync(ring.Select(f => f.UserId).ToList()));
        Assert.Equal(inside, (await cell.Collect(Case)).UserIds.Order());

        await cell.Flush();
        Assert.Equal(ring.Count, (await silo.Residents.LoadPositionsAsync(ring.Select(f => f.UserId).ToList())).Count);
        Assert.Equal(inside, (await cell.Collect(Case)).UserIds.Order());
    }

    [Fact]
    public async Task A_resident_whose_row_moved_on_is_judged_where_the_row_says_and_one_with_no_position_left_by_the_rounded_one()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var cell = silo.Grains.GetCell(Block);
        var ring = Ring(firstUserId: 1);
        await cell.Upsert(ring);
        await cell.Flush();
        var insideOnes = ring.Where(f => GreatCircle.Distance(Lat, Lon, f.Latitude, f.Longitude) <= Radius).ToList();

        // One inside moved far away: their new block's write is in the table before the directory's removal reaches
        // this block. Another's row is gone (as if purged meanwhile): their rounded position decides.
        var moved = insideOnes[0];
        var far = silo.Grains.GetCell(Geohash.Encode(30, 120, Blocks));
        await far.Upsert([moved with { Latitude = 30, Longitude = 120, FixUnixMs = moved.FixUnixMs + 1 }]);
        await far.Flush();
        var vanished = insideOnes[1];
        await using (var connection = await silo.Services.GetRequiredService<Grains.StoreEngine>().OpenAsync())
            await connection.ExecuteAsync("DELETE FROM residents WHERE user_id = @UserId", new { vanished.UserId });
        var grid = GridPoint.Of(vanished.Latitude, vanished.Longitude);
        var roundedInside = GreatCircle.Distance(Lat, Lon, grid.Latitude, grid.Longitude) <= Radius;

        var expected = insideOnes.Select(f => f.UserId).Where(u => u != moved.UserId && (u != vanished.UserId || roundedInside)).Order();
        Assert.Equal(expected, (await cell.Collect(Case)).UserIds.Order());
    }

    // Residents 2 mm either side of the edge on 36 bearings, all in the centre's block: inside the 2.1 cm band, where
    // the rounded positions alone get some wrong.
    private static List<ResidentFix> Ring(long firstUserId)
    {
        var fixes = new List<ResidentFix>();
        var id = firstUserId;
        for (var bearing = 0; bearing < 360; bearing += 10)
        foreach (var distance in new[] { Radius - 0.002, Radius + 0.002 })
        {
            var p = GreatCircle.Destination(Lat, Lon, bearing, distance);
            Assert.Equal(Block, Geohash.Encode(p.Latitude, p.Longitude, Blocks));
            fixes.Add(new ResidentFix(id++, p.Latitude, p.Longitude, AlertsSilo.Epoch.ToUnixTimeMilliseconds(), false));
        }

        return fixes;
    }
}
