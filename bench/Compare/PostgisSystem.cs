using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Alerts.Bench.Compare;

/// <summary>
/// PostgreSQL + PostGIS as its documentation recommends for "who is within d metres": a table
/// (user_id bigint primary key, pos geography(Point, 4326)) with a GiST index, selection by
/// <c>ST_DWithin(pos, point::geography, d, false)</c> (false: on PostGIS' sphere, like our model). Updates are
/// multi-row upserts: <c>INSERT … SELECT FROM unnest(arrays) ON CONFLICT (user_id) DO UPDATE</c>, 10,000 rows a
/// statement, each its own transaction (durable at commit), four connections in parallel like ours. ANALYZE after the
/// load, as the docs advise, untimed.
/// </summary>
public sealed class PostgisSystem : ISpatialSystem
{
    private const int BatchSize = 10_000;
    private const int Parallel = 4;

    private const string Upsert = """
        INSERT INTO residents_geo (user_id, pos)
        SELECT u, ST_SetSRID(ST_MakePoint(x, y), 4326)::geography FROM unnest(@u, @x, @y) AS t(u, x, y)
        ON CONFLICT (user_id) DO UPDATE SET pos = EXCLUDED.pos
        """;

    private const string Select = "SELECT user_id FROM residents_geo WHERE ST_DWithin(pos, ST_MakePoint(@x, @y)::geography, @r, false)";

    private readonly NpgsqlDataSource _dataSource;

    private PostgisSystem(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public string Name => "PostGIS";

    public string Description => "PostgreSQL + PostGIS: geography(Point,4326) with a GiST index; upserts of 10,000 rows a statement (unnest arrays, ON CONFLICT DO UPDATE), 4 connections; ST_DWithin(..., false)";

    public string MemoryMethod => "pg_total_relation_size(residents_geo): heap, primary key and GiST index";

    /// <summary>Creates the table and its index in <paramref name="connectionString"/> (a database with the postgis extension).</summary>
    public static async Task<PostgisSystem> StartAsync(string connectionString)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            CREATE TABLE residents_geo (user_id bigint PRIMARY KEY, pos geography(Point, 4326) NOT NULL);
            CREATE INDEX residents_geo_pos ON residents_geo USING gist (pos);
            """);
        await command.ExecuteNonQueryAsync();
        return new PostgisSystem(dataSource);
    }

    /// <summary>The sphere radius PostGIS uses with use_spheroid = false, measured: the distance of 1° along the equator.</summary>
    public async Task<double> SphereRadiusAsync()
    {
        await using var command = _dataSource.CreateCommand("SELECT ST_Distance(ST_MakePoint(0, 0)::geography, ST_MakePoint(1, 0)::geography, false)");
        return (double)(await command.ExecuteScalarAsync())! * 180 / Math.PI;
    }

    /// <summary>"PostgreSQL 15.x / PostGIS 3.x".</summary>
    public async Task<string> VersionAsync()
    {
        await using var command = _dataSource.CreateCommand("SELECT current_setting('server_version') || ' / PostGIS ' || postgis_lib_version()");
        return "PostgreSQL " + (string)(await command.ExecuteScalarAsync())!;
    }

    public async Task<WriteTiming> IngestAsync(ComparePopulation population)
    {
        var timing = await UpsertAsync(population, Enumerable.Range(0, population.Count).ToArray());
        await using var analyze = _dataSource.CreateCommand("ANALYZE residents_geo");
        await analyze.ExecuteNonQueryAsync();
        return timing;
    }

    public async Task<long> MemoryBytesAsync()
    {
        await using var command = _dataSource.CreateCommand("SELECT pg_total_relation_size('residents_geo')");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public Task<WriteTiming> MoveAsync(ComparePopulation population) => UpsertAsync(population, population.Moved);

    public async Task<Selection> SelectAsync(CaseCentre centre, double radiusMeters)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(Select, connection);
        command.Parameters.AddWithValue("x", centre.Longitude);
        command.Parameters.AddWithValue("y", centre.Latitude);
        command.Parameters.AddWithValue("r", radiusMeters);
        var ids = new List<long>();
        var elapsed = Stopwatch.StartNew();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        elapsed.Stop();
        return new Selection(ids.ToArray(), elapsed.Elapsed);
    }

    public async ValueTask DisposeAsync() => await _dataSource.DisposeAsync();

    private async Task<WriteTiming> UpsertAsync(ComparePopulation population, int[] indexes)
    {
        var elapsed = Stopwatch.StartNew();
        var batches = indexes.Chunk(BatchSize).ToArray();
        var next = -1;
        // Batches hold distinct users, so parallel upserts never wait on each other's row locks.
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            int b;
            while ((b = Interlocked.Increment(ref next)) < batches.Length)
            {
                var batch = batches[b];
                await using var command = new NpgsqlCommand(Upsert, connection);
                command.Parameters.Add(new NpgsqlParameter<long[]>("u", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = batch.Select(i => population.Ids[i]).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<double[]>("x", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = batch.Select(i => population.Longitudes[i]).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<double[]>("y", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = batch.Select(i => population.Latitudes[i]).ToArray() });
                await command.ExecuteNonQueryAsync();
            }
        }));
        elapsed.Stop();
        // Each statement commits before it returns: acknowledged is durable.
        return new WriteTiming(indexes.Length, elapsed.Elapsed, elapsed.Elapsed);
    }
}
