using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Alerts.Bench.Compare;

/// <summary>
/// Redis as its documentation recommends for proximity: one geo set (a sorted set of 52-bit geohashes), filled
/// with pipelined GEOADD (1,000 members a command, up to 100 commands in flight; StackExchange.Redis pipelines
/// whatever is not awaited), selected with <c>GEOSEARCH key FROMLONLAT lon lat BYRADIUS r m</c>. Not durable: the
/// server runs with <c>--save '' --appendonly no</c>, so a restart loses everything (with AOF on, fsync every second,
/// it would still lose up to a second).
/// </summary>
public sealed class RedisSystem : ISpatialSystem
{
    private const int MembersPerCommand = 1_000;
    private const int CommandsInFlight = 100;
    private static readonly RedisKey Key = "residents";

    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private long _usedBefore;
    private long _usedAfter;

    private RedisSystem(ConnectionMultiplexer redis)
    {
        _redis = redis;
        _db = redis.GetDatabase();
    }

    public string Name => "Redis";

    public string Description => "Redis geo set: pipelined GEOADD (1,000 members a command, 100 in flight), GEOSEARCH FROMLONLAT BYRADIUS; not durable";

    public string MemoryMethod => "INFO memory used_memory after ingest minus before";

    /// <summary>Connects to the server at <paramref name="endpoint"/> ("127.0.0.1:port").</summary>
    public static async Task<RedisSystem> StartAsync(string endpoint) =>
        new(await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { endpoint }, AllowAdmin = true, SyncTimeout = 60_000, AsyncTimeout = 60_000 }));

    /// <summary>"Redis 7.0.15".</summary>
    public async Task<string> VersionAsync() => "Redis " + await InfoAsync("server", "redis_version");

    public async Task<WriteTiming> IngestAsync(ComparePopulation population)
    {
        _usedBefore = long.Parse(await InfoAsync("memory", "used_memory"), CultureInfo.InvariantCulture);
        var timing = await AddAsync(population, Enumerable.Range(0, population.Count).ToArray());
        _usedAfter = long.Parse(await InfoAsync("memory", "used_memory"), CultureInfo.InvariantCulture);
        return timing;
    }

    public Task<long> MemoryBytesAsync() => Task.FromResult(_usedAfter - _usedBefore);

    public Task<WriteTiming> MoveAsync(ComparePopulation population) => AddAsync(population, population.Moved);

    public async Task<Selection> SelectAsync(CaseCentre centre, double radiusMeters)
    {
        var elapsed = Stopwatch.StartNew();
        var found = await _db.GeoSearchAsync(Key, centre.Longitude, centre.Latitude, new GeoSearchCircle(radiusMeters, GeoUnit.Meters), options: GeoRadiusOptions.None);
        elapsed.Stop();
        return new Selection(found.Select(r => (long)r.Member).ToArray(), elapsed.Elapsed);
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    private async Task<WriteTiming> AddAsync(ComparePopulation population, int[] indexes)
    {
        var elapsed = Stopwatch.StartNew();
        var inFlight = new List<Task<long>>(CommandsInFlight);
        foreach (var chunk in indexes.Chunk(MembersPerCommand))
        {
            inFlight.Add(_db.GeoAddAsync(Key, chunk.Select(i => new GeoEntry(population.Longitudes[i], population.Latitudes[i], population.Ids[i])).ToArray()));
            if (inFlight.Count < CommandsInFlight) continue;
            await Task.WhenAll(inFlight);
            inFlight.Clear();
        }

        await Task.WhenAll(inFlight);
        elapsed.Stop();
        return new WriteTiming(indexes.Length, elapsed.Elapsed, null);
    }

    private async Task<string> InfoAsync(string section, string field)
    {
        var server = _redis.GetServer(_redis.GetEndPoints()[0]);
        var info = await server.InfoAsync(section);
        return info.SelectMany(g => g).First(kv => kv.Key == field).Value;
    }
}
