using System.Globalization;

namespace Alerts.Bench.Compare;

/// <summary>
/// Compares another system's recipient set for a circle with ours. A system on a sphere of another radius R' takes
/// the same angle r / R', which on our sphere is r · R_ours / R': a resident whose distance (ours) lies between r and
/// that, widened by the other system's position error, may be counted differently by the two. Differences inside that
/// band are counted and reported; any other difference is a disagreement.
/// </summary>
public sealed record RecipientAgreement(
    string System,
    string Centre,
    int Ours,
    int Theirs,
    int OnlyOurs,
    int OnlyTheirs,
    int InBand,
    IReadOnlyList<string> Disagreements,
    double BandFromMeters,
    double BandToMeters)
{
    /// <summary>Every case of the comparison is this wide (the product's default).</summary>
    public const double RadiusMeters = 120_000;

    /// <summary>True when every difference lies in the band.</summary>
    public bool Agrees => Disagreements.Count == 0;

    /// <summary>
    /// Compares <paramref name="theirs"/> with <paramref name="ours"/> for the circle around <paramref name="centre"/>;
    /// <paramref name="theirRadius"/> is the other system's earth radius and <paramref name="toleranceMeters"/> the
    /// error of its stored positions and arithmetic.
    /// </summary>
    public static RecipientAgreement Compare(
        string system, CaseCentre centre, ComparePopulation population, long[] ours, long[] theirs, double theirRadius, double toleranceMeters)
    {
        var edge = RadiusMeters * EarthRadii.Ours / theirRadius;
        var from = Math.Min(RadiusMeters, edge) - toleranceMeters;
        var to = Math.Max(RadiusMeters, edge) + toleranceMeters;
        var ourSet = ours.ToHashSet();
        var theirSet = theirs.ToHashSet();
        var disagreements = new List<string>();
        int onlyOurs = 0, onlyTheirs = 0, inBand = 0;
        if (ourSet.Count != ours.Length) disagreements.Add($"ours named {ours.Length - ourSet.Count} users twice");
        if (theirSet.Count != theirs.Length) disagreements.Add($"{system} named {theirs.Length - theirSet.Count} users twice");
        foreach (var (only, whose) in new[] { (ourSet.Except(theirSet), "ours"), (theirSet.Except(ourSet), system) })
        {
            foreach (var id in only)
            {
                if (whose == "ours") onlyOurs++;
                else onlyTheirs++;
                if (id < 1 || id > population.Count)
                {
                    disagreements.Add($"{whose} named user {id}, who does not exist");
                    continue;
                }

                var distance = population.DistanceOf(id, centre.Latitude, centre.Longitude);
                if (distance >= from && distance <= to) inBand++;
                else if (disagreements.Count < 20)
                    disagreements.Add(string.Create(CultureInfo.InvariantCulture, $"only {whose} has user {id} at {distance:F3} m (band {from:F3}–{to:F3} m)"));
                else if (disagreements.Count == 20) disagreements.Add("… more");
            }
        }

        return new RecipientAgreement(system, centre.Name, ourSet.Count, theirSet.Count, onlyOurs, onlyTheirs, inBand, disagreements, from, to);
    }
}
