using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>Exact recipient sets, once per user per case, late arrivals and widening, on both storage providers.</summary>
public sealed class DispatchTests
{
    // The last column is the block size (BlockPrecision; 3 is the default): the recipients must not depend on it.
    public static TheoryData<string, string, double, double, double, int> Places => new()
    {
        { "sqlite", "Shenzhen", 22.5431, 114.0579, 120_000, 3 },
        { "sqlite", "Fiji across the antimeridian", -17.7134, 179.6, 150_000, 3 },
        { "sqlite", "Svalbard", 78.2232, 15.6267, 120_000, 3 },
        { "postgres", "Shenzhen", 22.5431, 114.0579, 120_000, 3 },
        { "postgres", "Fiji across the antimeridian", -17.7134, 179.6, 150_000, 3 },
        { "sqlite", "Shenzhen", 22.5431, 114.0579, 120_000, 5 },
        { "sqlite", "Fiji across the antimeridian", -17.7134, 179.6, 150_000, 1 },
        { "postgres", "Svalbard", 78.2232, 15.6267, 120_000, 4 },
    };

    [Theory]
    [MemberData(nameof(Places))]
    public Task Everyone_inside_gets_exactly_one_push_and_nobody_outside(string provider, string place, double lat, double lon, double radius, int blocks) =>
        AssertExactRecipientsAsync(provider, place, lat, lon, radius, blocks, edgeOffset: 1);

    // Cells keep positions rounded to a 1 cm grid: these rings lie inside that rounding, where only the stored rows can
    // tell inside from outside (a 0.1 mm ring flips both ways under a centimetre of rounding).
    [Theory]
    [InlineData("sqlite", "Shenzhen", 22.5431, 114.0579, 0.002)]
    [InlineData("sqlite", "Shenzhen", 22.5431, 114.0579, 0.0001)]
    [InlineData("postgres", "Shenzhen", 22.5431, 114.0579, 0.002)]
    [InlineData("sqlite", "Fiji across the antimeridian", -17.7134, 179.6, 0.002)]
    [InlineData("postgres", "Svalbard", 78.2232, 15.6267, 0.0001)]
    public Task Residents_a_hair_either_side_of_the_edge_are_told_apart(string provider, string place, double lat, double lon, double edgeOffset) =>
        AssertExactRecipientsAsync(provider, place, lat, lon, 150_000, 3, edgeOffset);

    private static async Task AssertExactRecipientsAsync(string provider, string place, double lat, double lon, double radius, int blocks, double edgeOffset)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider), settings: new() { ["Alerts:BlockPrecision"] = blocks.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var residents = Population.Around(1, lat, lon, radius, scatter: 3_000, AlertsSilo.Epoch, edgeOffset: edgeOffset);
        var ingest = await Population.ReportAsync(silo.Grains.GetGrain<IResidencyGrain>(0), residents);
        Assert.Equal(residents.Count, ingest.Applied);
        var expected = Population.Inside(residents, lat, lon, radius);
        Assert.Equal(72, expected.Count(id => id <= 144)); // each ring: the inner user is inside, the outer one is not

        var gateway = new RecordingGateway(silo.Grains);
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        var watcher = new ProgressWatcher();
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("case-" + place.Replace(' ', '-'));
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "Missing: Li Wei, 6, red jacket", "https://alerts.example/c/1"));
        await caseGrain.Watch(silo.Grains.CreateObjectReference<ICaseObserver>(watcher));
        await Admins.ApproveAsync(caseGrain);
        var done = await watcher.WaitFor(p => p.Status == CaseStatus.Active);
        await gateway.WaitForPushes(expected.Count);

        Assert.Equal(expected.Count, done.Recipients);
        Assert.Equal(expected.OrderBy(x => x), gateway.Pushes.OrderBy(x => x));
        Assert.Equal(expected.OrderBy(x => x), (await silo.Cases.LoadRecipientsAsync(done.CaseId)).OrderBy(x => x));
        Assert.All(gateway.Batches, b => Assert.Equal("Missing: Li Wei, 6, red jacket", b.Payload.Message));
    }

    // On PostgreSQL, transactions of 100 recipients, four recorded at once: their batches must still go out in order.
    [Theory]
    [InlineData("sqlite", 50_000)]
    [InlineData("postgres", 100)]
    public async Task Batches_go_out_nearest_first(string provider, int recipientsPerTransaction)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider), settings: new()
        {
            ["Alerts:RecipientsPerTransaction"] = recipientsPerTransaction.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var (lat, lon, radius) = (22.5431, 114.0579, 60_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 2_000, AlertsSilo.Epoch);
        await Population.ReportAsync(silo.Grains.GetGrain<IResidencyGrain>(0), residents);
        var gateway = new RecordingGateway(silo.Grains);
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("nearest");
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "m", "https://a.example/x"));
        await Admins.ApproveAsync(caseGrain);
        var expected = Population.Inside(residents, lat, lon, radius);
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        await gateway.WaitForPushes(expected.Count);

        // The circle's few blocks are one step: the step's grains' lists are merged, so every push is at least as far
        // as the one before (their merge key is a float: a centimetre of slack).
        var byUser = residents.ToDictionary(r => r.UserId);
        var distances = gateway.Pushes.Select(u => GreatCircle.Distance(lat, lon, byUser[u].Latitude, byUser[u].Longitude)).ToList();
        Assert.True(CoveredBlock.Group(CircleCover.Compute(GeoCircle.Create(lat, lon, radius), 5), 3).Length <= 16);
        for (var i = 1; i < distances.Count; i++) Assert.True(distances[i - 1] <= distances[i] + 0.01, $"push {i} ({distances[i]:F3} m) is nearer than push {i - 1} ({distances[i - 1]:F3} m)");
        Assert.Equal(expected.Order(), gateway.Pushes.Order());
    }

    [Fact]
    public async Task With_a_grain_per_cell_batches_go_out_nearest_cells_first_step_by_step()
    {
        // One cell per step: steps follow the cover, nearest cells first, as the provider's quota wants.
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: new() { ["Alerts:BlockPrecision"] = "5", ["Alerts:CellsPerDispatchStep"] = "1" });
        var (lat, lon, radius) = (22.5431, 114.0579, 30_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 1_000, AlertsSilo.Epoch);
        await Population.ReportAsync(silo.Grains.GetGrain<IResidencyGrain>(0), residents);
        var gateway = await silo.SubscribeGatewayAsync();
        var done = await silo.DispatchAsync("nearest-cells", Admins.Case(lat, lon, radius, "m", "https://a.example/x"));
        await gateway.WaitForPushes(done.Recipients);

        var byUser = residents.ToDictionary(r => r.UserId);
        var cellDistances = gateway.Pushes.Select(u => GreatCircle.MinDistanceToBox(lat, lon, Geohash.Encode(byUser[u].Latitude, byUser[u].Longitude, 5).Bounds)).ToList();
        for (var i = 1; i < cellDistances.Count; i++) Assert.True(cellDistances[i - 1] <= cellDistances[i], $"push {i} is in a nearer cell than push {i - 1}");
        Assert.Equal(Population.Inside(residents, lat, lon, radius).Count, done.Recipients);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_dispatch_stopped_midway_goes_on_after_a_restart_with_other_blocks_and_pushes_nobody_twice(string provider)
    {
        // A grain per cell and one cell per step, stopped after the first push; then blocks of precision 3, so the
        // durable progress (cells done) may end inside a block: that block is collected again.
        var storage = StorageKind.Fresh(provider);
        var (lat, lon, radius) = (22.5431, 114.0579, 60_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 2_000, AlertsSilo.Epoch);
        var expected = Population.Inside(residents, lat, lon, radius);
        var batches = new Dictionary<long, PushBatch>();
        CaseProgress stopped;
        RecordingGateway before;
        await using (var silo = await AlertsSilo.StartAsync(storage, settings: new() { ["Alerts:BlockPrecision"] = "5", ["Alerts:CellsPerDispatchStep"] = "1" }))
        {
            await Population.ReportAsync(silo.Grains.GetGrain<IResidencyGrain>(0), residents);
            before = await silo.SubscribeGatewayAsync();
            var caseGrain = silo.Grains.GetGrain<ICaseGrain>("reblocked");
            await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "m", "https://a.example/x"));
            await Admins.ApproveAsync(caseGrain);
            await before.WaitForPushes(1);
            stopped = await caseGrain.GetProgress();
        }

        // Steps go on until the silo has stopped, and their batches reach the first gateway: count them all.
        foreach (var batch in before.Batches) batches.TryAdd(batch.BatchId, batch);

        Assert.True(stopped.Status == CaseStatus.Dispatching && stopped.CellsDone < stopped.CellsTotal, $"the stop must land mid-dispatch: {stopped}");
        await using var again = await AlertsSilo.StartAsync(storage);
        var after = await again.SubscribeGatewayAsync();
        var done = await again.DispatchedAsync("reblocked");
        while (true)
        {
            var seen = after.Pushes.Count;
            foreach (var batch in after.Batches) batches.TryAdd(batch.BatchId, batch);
            if (batches.Values.Sum(b => b.UserIds.Count) >= expected.Count) break;
            try
            {
                await after.WaitForPushes(seen + 1);
            }
            catch (TimeoutException)
            {
                var stats = await again.Grains.GetGrain<IPushHubGrain>(0).GetStats();
                var recorded = await again.Cases.LoadRecipientsAsync("reblocked");
                var have = batches.Values.SelectMany(b => b.UserIds).ToHashSet();
                Assert.Fail($"pushes stopped at {have.Count} of {expected.Count} (stopped at {stopped}, done {done}); recorded {recorded.Count}, hub {stats}; recorded but never pushed: {recorded.Count(r => !have.Contains(r))}, expected but not recorded: {expected.Count(e => !recorded.Contains(e))}");
            }
        }

        // A batch delivered twice (before and after the stop) has one id: what counts is users over distinct batches.
        var pushed = batches.Values.SelectMany(b => b.UserIds).ToList();
        Assert.Equal(pushed.Count, pushed.Distinct().Count());
        Assert.Equal(expected.Order(), pushed.Order());
        Assert.Equal(expected.Count, done.Recipients);
        Assert.Equal(stopped.CellsTotal, done.CellsDone);
    }

    [Fact]
    public async Task Moves_late_arrivals_and_widening_never_push_a_user_twice()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var (lat, lon, radius) = (22.5431, 114.0579, 30_000.0);
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 1_000, AlertsSilo.Epoch);
        await Population.ReportAsync(residency, residents);
        var gateway = new RecordingGateway(silo.Grains);
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        var watcher = new ProgressWatcher();
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("moves");
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "m", "https://a.example/x"));
        await caseGrain.Watch(silo.Grains.CreateObjectReference<ICaseObserver>(watcher));

        // Users move while the dispatch runs: half of the scatter jumps to another spot inside the circle.
        var random = new Random(3);
        var moves = residents.Skip(144).Where((_, i) => i % 2 == 0).Select(u =>
        {
            var p = GreatCircle.Destination(lat, lon, random.NextDouble() * 360, radius * 0.9 * random.NextDouble());
            return new LocationUpdate(u.UserId, p.Latitude, p.Longitude, AlertsSilo.Epoch.AddMinutes(1));
        }).ToList();
        await Task.WhenAll(Admins.ApproveAsync(caseGrain), residency.Report(moves));
        await watcher.WaitFor(p => p.Status == CaseStatus.Active);

        // A newcomer arrives inside after the dispatch; another stays outside.
        var inside = GreatCircle.Destination(lat, lon, 45, radius / 2);
        var outside = GreatCircle.Destination(lat, lon, 45, radius * 2);
        await residency.Report([new LocationUpdate(900_001, inside.Latitude, inside.Longitude, AlertsSilo.Epoch), new LocationUpdate(900_002, outside.Latitude, outside.Longitude, AlertsSilo.Epoch)]);

        var finalPositions = residents.Concat(moves).GroupBy(u => u.UserId).Select(g => g.MaxBy(u => u.FixTime)!).ToList();
        var mustHave = Population.Inside(finalPositions, lat, lon, radius);
        mustHave.Add(900_001);
        // Late arrivals are gathered for up to LateArrivalMaxWait (5 s): once every user has reached the case, that passes.
        await silo.WaitUntilCaseHasAsync("moves", mustHave);
        silo.Time.Advance(TimeSpan.FromSeconds(5));
        var afterMoves = await watcher.WaitFor(p => p.Recipients >= mustHave.Count);
        await gateway.WaitForPushes(afterMoves.Recipients);
        Assert.Superset(mustHave, gateway.Pushes.ToHashSet());
        Assert.DoesNotContain(900_002L, gateway.Pushes);

        // Widening pushes only the users newly inside.
        var widened = radius * 1.5;
        var newlyInside = Population.Inside(finalPositions, lat, lon, widened);
        newlyInside.ExceptWith(gateway.Pushes);
        await caseGrain.Widen(widened);
        var wide = await watcher.WaitFor(p => p.Status == CaseStatus.Active && p.RadiusMeters == widened);
        await gateway.WaitForPushes(wide.Recipients);
        var pushes = gateway.Pushes;
        Assert.Equal(pushes.Count, pushes.Distinct().Count());
        Assert.Superset(newlyInside, pushes.ToHashSet());
        Assert.Equal(wide.Recipients, pushes.Count);
    }

    [Fact]
    public async Task Opted_out_and_stale_users_are_never_pushed()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        var (lat, lon) = (48.8566, 2.3522);
        var near = GreatCircle.Destination(lat, lon, 90, 1_000);
        await residency.Report([
            new LocationUpdate(1, near.Latitude, near.Longitude, AlertsSilo.Epoch),
            new LocationUpdate(2, near.Latitude, near.Longitude, AlertsSilo.Epoch),
            new LocationUpdate(3, near.Latitude, near.Longitude, AlertsSilo.Epoch.AddDays(-6)),
        ]);
        await residency.SetOptOut(2, true);
        silo.Time.Advance(TimeSpan.FromDays(2)); // user 3's fix is now older than 7 days

        var gateway = await silo.SubscribeGatewayAsync();
        var done = await silo.DispatchAsync("privacy", Admins.Case(lat, lon, 5_000, "m", "https://a.example/x"));
        await gateway.WaitForPushes(1);
        Assert.Equal(1, done.Recipients);
        Assert.Equal([1L], gateway.Pushes);

        // Opting back in makes the user eligible for the next case.
        await residency.SetOptOut(2, false);
        Assert.Equal(2, (await silo.DispatchAsync("privacy-2", Admins.Case(lat, lon, 5_000, "m", "https://a.example/x"))).Recipients);
    }
}
