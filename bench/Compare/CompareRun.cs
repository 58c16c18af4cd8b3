using Microsoft.Extensions.DependencyInjection;
using Alerts.TestSupport;

namespace Alerts.Bench.Compare;

/// <summary>
/// One comparison: the same population into ours, PostGIS and Redis, one system after another (each has the machine
/// to itself), each measured for ingest, moves, memory and selection at the 20 centres; then ours' whole dispatch of
/// the dense case and its floor, and the recipient sets compared.
/// </summary>
public static class CompareRun
{
    /// <summary>Runs the comparison against <paramref name="postgres"/> and the Redis server at <paramref name="redisEndpoint"/>.</summary>
    public static async Task<CompareResult> RunAsync(CompareOptions options, PostgresServer postgres, string redisEndpoint, TextWriter log)
    {
        log.WriteLine($"population: {options.Users:N0} users, seed {options.Seed}");
        var population = ComparePopulation.Create(options.Users, options.PlacesPath, options.Seed);
        var systems = new List<SystemFigures>();

        // Ours first; its dispatch and the dispatch floor while its database is there.
        int dispatchRecipients;
        TimeSpan dispatch, floor, parallelFloor;
        CpuUse dispatchCpu;
        int blockPrecision;
        int directoryShards;
        long oursMemory;
        IReadOnlyList<(string Kind, long Count, long Bytes)>? census;
        await using (var ours = await OursSystem.StartAsync(options.OursEngine == "postgres" ? postgres.ConnectionString : null, options.HeapCensus ? Path.GetTempPath() : null))
        {
            var figures = await MeasureAsync(ours, population, options, log);
            systems.Add(figures);
            var recipients = figures.Recipients(CaseCentre.Dense.Name);
            dispatchRecipients = recipients.Length;
            log.WriteLine($"ours: dispatching the {CaseCentre.Dense.Name} case to {dispatchRecipients:N0} recipients");
            var cpu = CpuUse.Start();
            dispatch = await ours.DispatchAsync(CaseCentre.Dense, RecipientAgreement.RadiusMeters, dispatchRecipients);
            dispatchCpu = cpu.Stop();
            var floorDatabase = ours.Provider == "postgres" ? ours.ConnectionString : postgres.CreateDatabase();
            floor = await DispatchFloor.MeasureAsync(floorDatabase, recipients, connections: 1);
            parallelFloor = await DispatchFloor.MeasureAsync(floorDatabase, recipients, connections: ours.Silo.Services.GetRequiredService<Alerts.Grains.StoreEngine>().ParallelWrites);
            var settings = ours.Silo.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Alerts.Grains.AlertsOptions>>().Value;
            blockPrecision = settings.BlockPrecision;
            directoryShards = settings.DirectoryShards;
            oursMemory = figures.MemoryBytes;
            census = ours.CensusGained;
        }

        // Weighed once the silo has stopped: its background work (the hub, the position writer) would move the readings.
        var breakdown = MemoryBreakdown.Measure(population, blockPrecision, directoryShards, oursMemory) with { Census = census };

        double sphere;
        string postgresVersion;
        await using (var postgis = await PostgisSystem.StartAsync(postgres.CreatePostgisDatabase()))
        {
            sphere = await postgis.SphereRadiusAsync();
            postgresVersion = await postgis.VersionAsync();
            systems.Add(await MeasureAsync(postgis, population, options, log));
        }

        string redisVersion;
        await using (var redis = await RedisSystem.StartAsync(redisEndpoint))
        {
            redisVersion = await redis.VersionAsync();
            systems.Add(await MeasureAsync(redis, population, options, log));
        }

        // Positions as every system last got them (after the moves).
        var agreements = new List<RecipientAgreement>();
        foreach (var centre in CaseCentre.All)
        {
            var ours = systems[0].Recipients(centre.Name);
            // PostGIS stores doubles exactly; its arithmetic (another formula than our haversine) differs by far less than a centimetre.
            agreements.Add(RecipientAgreement.Compare("PostGIS", centre, population, ours, systems[1].Recipients(centre.Name), sphere, 0.01));
            // Redis keeps positions as 52-bit geohashes: up to about 0.6 m off (half a cell of 2^-26 of the circle).
            agreements.Add(RecipientAgreement.Compare("Redis", centre, population, ours, systems[2].Recipients(centre.Name), EarthRadii.Redis, 1.0));
        }

        var machine = MachineLine.Describe(postgresVersion, redisVersion);
        return new CompareResult(options, machine, systems, agreements, sphere, dispatchRecipients, dispatch, dispatchCpu, floor, parallelFloor, breakdown);
    }

    private static async Task<SystemFigures> MeasureAsync(ISpatialSystem system, ComparePopulation population, CompareOptions options, TextWriter log)
    {
        population.Reset();
        log.WriteLine($"{system.Name}: ingest of {population.Count:N0}");
        var cpu = CpuUse.Start();
        var ingest = await system.IngestAsync(population);
        var ingestCpu = cpu.Stop();
        var memory = await system.MemoryBytesAsync();
        population.ApplyMoves();
        log.WriteLine($"{system.Name}: {population.Moved.Length:N0} moves");
        var moves = await system.MoveAsync(population);
        log.WriteLine($"{system.Name}: selections at {CaseCentre.All.Count} centres, {options.WarmUps} untimed + {options.Repetitions} timed each");
        // Round by round over every centre rather than centre by centre: a slow stretch of the machine (a collection, a
        // flush) then costs each centre one sample, not one centre all of its samples.
        var firstAnswers = new Dictionary<string, long[]>();
        var timed = CaseCentre.All.ToDictionary(c => c.Name, _ => new List<Selection>());
        for (var round = 0; round < options.WarmUps + options.Repetitions; round++)
        {
            foreach (var centre in CaseCentre.All)
            {
                var selection = await system.SelectAsync(centre, RecipientAgreement.RadiusMeters);
                // The same question must get the same answer every time (the first answer sorted once, not every round).
                if (!firstAnswers.TryGetValue(centre.Name, out var answer)) firstAnswers[centre.Name] = [.. selection.UserIds.Order()];
                else if (!selection.UserIds.Order().SequenceEqual(answer))
                    throw new InvalidOperationException($"{system.Name} answered {centre.Name} differently between repetitions ({answer.Length:N0} then {selection.UserIds.Length:N0})");
                if (round >= options.WarmUps) timed[centre.Name].Add(selection);
            }
        }

        var selections = timed.ToDictionary(t => t.Key, t => (IReadOnlyList<Selection>)t.Value);
        return new SystemFigures(system.Name, system.Description, ingest, ingestCpu, moves, memory, system.MemoryMethod, selections);
    }
}
