using Alerts.Geo;

namespace Alerts.Cli;

/// <summary>
/// Places residents by the population of real places: a place is drawn in proportion to its population,
/// then the resident lands around it at a normally distributed distance that grows with the place's size
/// (about 16 km for a city of ten million, 2 km for a town of 20,000), kept inside the region.
/// </summary>
public sealed class PopulationPlan
{
    private readonly Place[] _places;
    private readonly double[] _cumulative;
    private readonly Region _region;

    private PopulationPlan(Place[] places, Region region)
    {
        _places = places;
        _region = region;
        _cumulative = new double[places.Length];
        double sum = 0;
        for (var i = 0; i < places.Length; i++) _cumulative[i] = sum += places[i].Population;
    }

    /// <summary>The places inside the region.</summary>
    public IReadOnlyList<Place> Places => _places;

    /// <summary>A plan over the places in <paramref name="region"/>; none there is a bad-input failure.</summary>
    public static PopulationPlan For(IEnumerable<Place> places, Region region)
    {
        var inside = places.Where(p => region.Contains(p.Latitude, p.Longitude)).ToArray();
        if (inside.Length == 0) throw new ConsoleFailure(ExitCodes.BadInput, $"no place of 15,000 people or more lies in {region.Description}");
        return new PopulationPlan(inside, region);
    }

    /// <summary>Fills <paramref name="latitudes"/> and <paramref name="longitudes"/> with residents drawn from <paramref name="random"/>.</summary>
    public void Place(Random random, Span<double> latitudes, Span<double> longitudes)
    {
        for (var i = 0; i < latitudes.Length; i++)
        {
            var place = _places[Pick(random.NextDouble() * _cumulative[^1])];
            var spreadMeters = 1_000 + 1_500 * Math.Sqrt(place.Population / 100_000.0);
            (latitudes[i], longitudes[i]) = Around(random, place.Latitude, place.Longitude, spreadMeters);
        }
    }

    /// <summary>A point up to <paramref name="maxMeters"/> from the given one, still inside the region (else the point itself).</summary>
    public (double Latitude, double Longitude) Move(Random random, double latitude, double longitude, double maxMeters)
    {
        var to = GreatCircle.Destination(latitude, longitude, random.NextDouble() * 360, random.NextDouble() * maxMeters);
        return _region.Contains(to.Latitude, to.Longitude) ? (to.Latitude, to.Longitude) : (latitude, longitude);
    }

    private (double, double) Around(Random random, double latitude, double longitude, double spreadMeters)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var distance = Math.Abs(Gaussian(random)) * spreadMeters;
            var to = GreatCircle.Destination(latitude, longitude, random.NextDouble() * 360, distance);
            if (_region.Contains(to.Latitude, to.Longitude)) return (to.Latitude, to.Longitude);
        }

        return (latitude, longitude);
    }

    private int Pick(double x)
    {
        var i = Array.BinarySearch(_cumulative, x);
        return Math.Min(_places.Length - 1, i >= 0 ? i : ~i);
    }

    // Box-Muller: one standard normal draw.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
