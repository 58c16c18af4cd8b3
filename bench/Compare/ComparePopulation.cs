using Alerts.Cli;
using Alerts.Geo;

namespace Alerts.Bench.Compare;

/// <summary>
/// The one population every system gets: user ids 1..N (index = id − 1), placed with a fixed seed by the population
/// of real places (GeoNames cities15000 through the console simulator's <see cref="PopulationPlan"/>), plus a dense
/// block of <see cref="DenseShare"/> of the users inside the 120 km circle around <see cref="CaseCentre.Dense"/>, so
/// that a case there reaches about a tenth of N. The moves of a tenth of the users are drawn up front, so every
/// system gets the same ones; <see cref="Reset"/> and <see cref="ApplyMoves"/> switch the arrays between the two.
/// </summary>
public sealed class ComparePopulation
{
    /// <summary>The share of users placed in the dense block (the world's own places add about 1 % there).</summary>
    public const double DenseShare = 0.09;

    private readonly double[] _placedLatitudes;
    private readonly double[] _placedLongitudes;
    private readonly double[] _movedLatitudes;
    private readonly double[] _movedLongitudes;

    private ComparePopulation(long[] ids, double[] latitudes, double[] longitudes, int[] moved, double[] movedLatitudes, double[] movedLongitudes)
    {
        Ids = ids;
        _placedLatitudes = latitudes;
        _placedLongitudes = longitudes;
        Latitudes = (double[])latitudes.Clone();
        Longitudes = (double[])longitudes.Clone();
        Moved = moved;
        _movedLatitudes = movedLatitudes;
        _movedLongitudes = movedLongitudes;
    }

    /// <summary>User ids, 1..N.</summary>
    public long[] Ids { get; }

    /// <summary>Current latitude of user id i + 1 at index i (as placed, or after <see cref="ApplyMoves"/>).</summary>
    public double[] Latitudes { get; }

    /// <summary>Current longitude of user id i + 1 at index i.</summary>
    public double[] Longitudes { get; }

    /// <summary>The indexes of the tenth of the users who move (index ≡ 3 mod 10).</summary>
    public int[] Moved { get; }

    /// <summary>N.</summary>
    public int Count => Ids.Length;

    /// <summary>
    /// Places <paramref name="count"/> users from the places file at <paramref name="placesPath"/> with <paramref name="seed"/>,
    /// and draws the moves (up to 5 km each) with the next seed.
    /// </summary>
    public static ComparePopulation Create(int count, string placesPath, int seed)
    {
        var places = PlaceTable.Load(placesPath);
        var world = PopulationPlan.For(places, Region.Box("-90,-180,90,180"));
        var circle = GeoCircle.Create(CaseCentre.Dense.Latitude, CaseCentre.Dense.Longitude, RecipientAgreement.RadiusMeters);
        var dense = PopulationPlan.For(places, new Region("the dense block", -90, -180, 90, 180, circle));
        var random = new Random(seed);
        var ids = new long[count];
        var latitudes = new double[count];
        var longitudes = new double[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = i + 1;
            var plan = random.NextDouble() < DenseShare ? dense : world;
            plan.Place(random, latitudes.AsSpan(i, 1), longitudes.AsSpan(i, 1));
        }

        var moves = new Random(seed + 1);
        var moved = new List<int>(count / 10 + 1);
        var movedLatitudes = new List<double>(count / 10 + 1);
        var movedLongitudes = new List<double>(count / 10 + 1);
        for (var i = 3; i < count; i += 10)
        {
            var (latitude, longitude) = world.Move(moves, latitudes[i], longitudes[i], 5_000);
            moved.Add(i);
            movedLatitudes.Add(latitude);
            movedLongitudes.Add(longitude);
        }

        return new ComparePopulation(ids, latitudes, longitudes, moved.ToArray(), movedLatitudes.ToArray(), movedLongitudes.ToArray());
    }

    /// <summary>Back to the placed positions, before the next system's ingest.</summary>
    public void Reset()
    {
        _placedLatitudes.CopyTo(Latitudes, 0);
        _placedLongitudes.CopyTo(Longitudes, 0);
    }

    /// <summary>The moved users take their new positions (which every system is then given).</summary>
    public void ApplyMoves()
    {
        for (var m = 0; m < Moved.Length; m++)
        {
            Latitudes[Moved[m]] = _movedLatitudes[m];
            Longitudes[Moved[m]] = _movedLongitudes[m];
        }
    }

    /// <summary>Great-circle distance (the product's sphere) of user <paramref name="userId"/> from a point.</summary>
    public double DistanceOf(long userId, double latitude, double longitude) =>
        GreatCircle.Distance(latitude, longitude, Latitudes[userId - 1], Longitudes[userId - 1]);
}
