using Alerts.Bench.Compare;
using Alerts.TestSupport;

namespace Alerts.Bench.Tests.Compare;

/// <summary>
/// The comparison harness at a small size (20,000 residents), so it cannot rot: the same population into ours,
/// PostGIS and Redis (servers started here), and the three recipient sets must agree at every centre, except for
/// residents inside the radius band each other sphere explains.
/// </summary>
public sealed class CompareHarnessTests
{
    [Fact]
    public async Task OursPostgisAndRedisAgreeOnEveryCentre()
    {
        using var redis = RedisServer.Start();
        var result = await CompareRun.RunAsync(new CompareOptions(20_000, Repetitions: 1) { WarmUps = 1 }, PostgresServer.Instance, redis.Endpoint, TextWriter.Null);

        Assert.True(result.Agrees, string.Join("\n", result.Agreements.Where(a => !a.Agrees).SelectMany(a => a.Disagreements.Select(d => $"{a.System} at {a.Centre}: {d}"))));
        Assert.Equal(2 * CaseCentre.All.Count, result.Agreements.Count);
        // The dense block makes the Shenzhen case reach about a tenth of the population.
        var dense = result.System("ours").Recipients(CaseCentre.Dense.Name).Length;
        Assert.InRange(dense, 1_500, 2_500);
        Assert.Equal(dense, result.DispatchRecipients);
        // PostGIS' sphere is within 3 cm of ours: at 120 km that band is under a centimetre, so the sets must be equal here.
        Assert.InRange(result.PostgisSphereRadius, 6_371_008.7, 6_371_008.8);
        Assert.All(result.Agreements.Where(a => a.System == "PostGIS"), a => Assert.Equal(0, a.OnlyOurs + a.OnlyTheirs));
        // Every system answered every centre, and the sea and the desert have nobody.
        Assert.All(result.Systems, s => Assert.Equal(CaseCentre.All.Count, s.Selections.Count));
        Assert.Empty(result.System("Redis").Recipients("Central Pacific"));
        Assert.Contains("Redis 7", result.Machine);
        Assert.Contains("PostGIS 3", result.Machine);
    }

    [Fact]
    public void AgreementFailsOnAResidentFarFromTheEdge()
    {
        var population = ComparePopulation.Create(2_000, PlaceTable(), seed: 7);
        var centre = CaseCentre.Dense;
        var inside = population.Ids.Where(id => population.DistanceOf(id, centre.Latitude, centre.Longitude) <= RecipientAgreement.RadiusMeters).ToArray();
        Assert.NotEmpty(inside);
        var nearest = inside.MinBy(id => population.DistanceOf(id, centre.Latitude, centre.Longitude));

        var same = RecipientAgreement.Compare("Redis", centre, population, inside, inside, EarthRadii.Redis, 1.0);
        Assert.True(same.Agrees);

        var missing = RecipientAgreement.Compare("Redis", centre, population, inside, inside.Where(id => id != nearest).ToArray(), EarthRadii.Redis, 1.0);
        Assert.False(missing.Agrees);
        Assert.Equal(1, missing.OnlyOurs);
        Assert.Equal(0, missing.InBand);

        var outsider = population.Ids.First(id => population.DistanceOf(id, centre.Latitude, centre.Longitude) > 200_000);
        var extra = RecipientAgreement.Compare("PostGIS", centre, population, inside, [.. inside, outsider], EarthRadii.PostgisSphere, 0.01);
        Assert.False(extra.Agrees);
        Assert.Equal(1, extra.OnlyTheirs);
    }

    private static string PlaceTable() => Alerts.Cli.PlaceTable.DefaultPath;
}
