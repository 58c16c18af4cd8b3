using Alerts.Cli;
using Alerts.Geo;

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

    [Fact]
    public void A_region_without_places_is_refused()
    {
        var error = Assert.Throws<ConsoleFailure>(() => PopulationPlan.For(Places.Value, Region.Box("-10,-150,-9,-149")));
        Assert.Contains("no place of 15,000 people or more lies in box -10,-150,-9,-149", error.Message);
    }

    private static (double[] Latitudes, double[] Longitudes) Place(PopulationPlan plan, int seed, int count)
    {
        var (lats, lons) = (new double[count], new double[count]);
        plan.Place(new Random(seed), lats, lons);
        return (lats, lons);
    }
}
