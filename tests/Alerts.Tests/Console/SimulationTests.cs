using Alerts.Cli;
using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>The simulator's population: real places from the shipped GeoNames copy, residents inside the region, repeatable for a seed, clear errors.</summary>
public sealed class SimulationTests
{
    private static readonly Lazy<List<Place>> Places = new(() => PlaceTable.Load(PlaceTable.DefaultPath));

    [Fact]
    public void The_shipped_places_file_is_read_whole_including_quoted_names_with_commas()
    {
        Assert.Equal(24_323, Places.Value.Count);
        var washington = Assert.Single(Places.Value, p => p.Name == "Washington, D.C.");
        Assert.Equal(("US", 601_723L), (washington.Country, washington.Population));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "Simulation", "cities15000.csv")));
    }

    [Fact]
    public void Residents_around_a_city_stay_in_its_region_gather_by_population_and_repeat_for_a_seed()
    {
        var region = Region.AroundPlace(Places.Value, "Shenzhen", 100);
        var plan = PopulationPlan.For(Places.Value, region);
        var (lats, lons) = Place(plan, 1, 20_000);

        for (var i = 0; i < lats.Length; i++) Assert.True(region.Contains(lats[i], lons[i]), $"resident {i} at {lats[i]},{lons[i]} is outside");
        // Shenzhen holds about a third of the region's people: a third of the residents live within 30 km of it.
        var nearShenzhen = Enumerable.Range(0, lats.Length).Count(i => GreatCircle.Distance(22.54554, 114.0683, lats[i], lons[i]) < 30_000);
        Assert.InRange(nearShenzhen, lats.Length / 5, lats.Length * 4 / 5);

        var (again, _) = Place(plan, 1, 20_000);
        Assert.Equal(lats, again);
        var (other, _) = Place(plan, 2, 20_000);
        Assert.NotEqual(lats, other);
    }

    [Fact]
    public void Residents_in_a_box_stay_in_the_box()
    {
        var region = Region.Box("22.4,113.7,22.9,114.6");
        var (lats, lons) = Place(PopulationPlan.For(Places.Value, region), 3, 5_000);
        Assert.All(Enumerable.Range(0, lats.Length), i => Assert.True(lats[i] is >= 22.4 and <= 22.9 && lons[i] is >= 113.7 and <= 114.6));
    }

    [Fact]
    public void A_moved_resident_stays_within_the_step_and_the_region()
    {
        var region = Region.AroundPlace(Places.Value, "Shenzhen", 50);
        var plan = PopulationPlan.For(Places.Value, region);
        var random = new Random(4);
        for (var i = 0; i < 1_000; i++)
        {
            var (lat, lon) = plan.Move(random, 22.6, 114.1, 2_000);
            Assert.True(GreatCircle.Distance(22.6, 114.1, lat, lon) <= 2_000.001 && region.Contains(lat, lon));
        }
    }

    [Theory]
    [InlineData("Nowhereville", 100, "city 'Nowhereville' is not among")]
    [InlineData("Shenzhen", 0, "region-km 0 is invalid")]
    [InlineData("Shenzhen", 5000, "region-km 5000 is invalid")]
    public void A_bad_city_region_is_refused_naming_the_problem(string city, double km, string message)
    {
        var error = Assert.Throws<ConsoleFailure>(() => Region.AroundPlace(Places.Value, city, km));
        Assert.Equal(ExitCodes.BadInput, error.ExitCode);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("1,2,3", "use south,west,north,east")]
    [InlineData("a,b,c,d", "use south,west,north,east")]
    [InlineData("95,0,96,1", "latitudes must be within [-90, 90]")]
    [InlineData("10,20,5,25", "south must be below north")]
    public void A_bad_box_is_refused_naming_the_problem(string box, string message)
    {
        var error = Assert.Throws<ConsoleFailure>(() => Region.Box(box));
        Assert.Equal(ExitCodes.BadInput, error.ExitCode);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("1,Big,CN,22.5,114.1,99999999999999999999", "line 3: population \"99999999999999999999\" is not a whole number of people")]
    [InlineData("1,Big,CN,north,114.1,20000", "line 3: latitude \"north\" is not a latitude within [-90, 90]")]
    [InlineData("1,Big,CN,22.5,114.1,-5", "line 3: population \"-5\" is not a whole number of people")]
    [InlineData("1,\"Big, Town,CN,22.5,114.1,20000", "line 3: name \"Big, Town,CN,22.5,114.1,20000\" has no closing quote")]
    public void A_bad_places_file_is_refused_naming_the_file_the_line_and_the_field(string row, string message)
    {
        var path = Path.Combine(Alerts.TestSupport.ScratchFolder.NewFolder(), "places.csv");
        File.WriteAllLines(path, ["geonameid,name,country,lat,lon,population", "2,Small,CN,22.6,114.2,15000", row]);

        var error = Assert.Throws<ConsoleFailure>(() => PlaceTable.Load(path));
        Assert.Equal(ExitCodes.BadInput, error.ExitCode);
        Assert.Equal($"places file {path} {message}", error.Message);
    }

    [Fact]
    public void A_region_without_places_is_refused()
    {
        var error = Assert.Throws<ConsoleFailure>(() => PopulationPlan.For(Places.Value, Region.Box("-10,-150,-9,-149")));
        Assert.Contains("no place of 15,000 people or more lies in box -10,-150,-9,-149", error.Message);
    }

    [Fact]
    public void Residents_open_share_and_sight_at_the_rates_asked_for_and_the_same_for_a_seed_whatever_the_batches()
    {
        var settings = Settings(seed: 5);
        var users = Enumerable.Range(1, 100_000).Select(i => (long)i).ToList();
        var events = React(settings, "c1", [users]);
        Assert.Equal(100_000, events.Count(e => e.Kind == EngagementKind.Delivered));
        var opened = events.Where(e => e.Kind == EngagementKind.Opened).Select(e => e.UserId).ToHashSet();
        Assert.InRange(opened.Count, 29_000, 31_000);
        var shares = events.Where(e => e.Kind == EngagementKind.Shared).ToList();
        Assert.InRange(shares.Count, opened.Count / 10 - 400, opened.Count / 10 + 400);
        Assert.All(shares, s => Assert.Contains(s.UserId, opened));
        Assert.Equal(4, shares.Select(s => s.Channel).Distinct().Count());
        var sightings = events.Where(e => e.Kind == EngagementKind.Sighted).ToList();
        Assert.InRange(sightings.Count, 200, 400);
        Assert.All(sightings, s => Assert.True(GreatCircle.Distance(22.5, 114, s.Sighting!.Latitude, s.Sighting.Longitude) <= DeviceBehaviour.SightingMeters + 1));

        // The same choices in other batches; other choices for another seed or case.
        Assert.Equal(Choices(events), Choices(React(settings, "c1", [.. users.Chunk(777).Reverse().Select(c => c.ToList())])));
        Assert.NotEqual(Choices(events), Choices(React(Settings(seed: 6), "c1", [users])));
        Assert.NotEqual(Choices(events), Choices(React(settings, "c2", [users])));
    }

    [Fact]
    public void People_reached_through_a_share_get_ids_above_the_residents_and_pass_it_on_up_to_generation_three()
    {
        var behaviour = new DeviceBehaviour(Settings(seed: 5) with { ShareRate = 1, ShareReach = 3 });
        var share = EngagementEvent.Shared("c1", 1_000 + 99_999, DateTimeOffset.UtcNow, ShareChannel.Group);
        var reached = behaviour.FollowLink(share, new IssuedShare(0, "token", 1), DateTimeOffset.UtcNow).ToList();
        Assert.Equal(6, reached.Count);
        Assert.All(reached, e => Assert.Equal("token", e.ShareToken));
        Assert.Equal([1_000 + 100_000 + 99_999 * 3, 1_000 + 100_000 + 99_999 * 3 + 1, 1_000 + 100_000 + 99_999 * 3 + 2],
            reached.Where(e => e.Kind == EngagementKind.Opened).Select(e => e.UserId));
        Assert.Equal(3, reached.Count(e => e.Kind == EngagementKind.Shared));
        Assert.All(behaviour.FollowLink(share, new IssuedShare(0, "token", DeviceBehaviour.MaxShareGeneration), DateTimeOffset.UtcNow),
            e => Assert.Equal(EngagementKind.Opened, e.Kind));
    }

    private static SimulationSettings Settings(int seed) => new(100_000, Region.Box("22,113,23,115"), seed, 1_000, 0, TimeSpan.FromSeconds(10), 0, null, "s", 10_000, 4,
        OpenRate: 0.3, ShareRate: 0.1, SightingRate: 0.01, ShareReach: 2);

    private static List<EngagementEvent> React(SimulationSettings settings, string caseId, List<List<long>> batches)
    {
        var behaviour = new DeviceBehaviour(settings);
        var events = new List<EngagementEvent>();
        foreach (var batch in batches)
            behaviour.React(new PushBatch(1, caseId, batch, new AlertPayload(caseId, "m", "https://alerts.example/c")), DateTimeOffset.UtcNow, _ => (22.5, 114), events);
        return events;
    }

    private static List<(EngagementKind, long, ShareChannel?)> Choices(List<EngagementEvent> events) =>
        [.. events.Select(e => (e.Kind, e.UserId, e.Channel)).Order()];

    private static (double[] Latitudes, double[] Longitudes) Place(PopulationPlan plan, int seed, int count)
    {
        var (lats, lons) = (new double[count], new double[count]);
        plan.Place(new Random(seed), lats, lons);
        return (lats, lons);
    }
}
