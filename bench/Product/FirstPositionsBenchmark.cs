using System.Diagnostics;
using System.Globalization;
using Alerts.Bench.Compare;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Npgsql;

namespace Alerts.Bench.Product;

/// <summary>
/// Users' first positions written to PostgreSQL the product's way (<see cref="PostgresEngine.WriteResidentsAsync"/>:
/// binary COPY) against the statement it replaced (<c>INSERT … SELECT FROM unnest(arrays)</c>), in the same run: the
/// same rows, transactions of 5,000 on four connections, each way on a fresh residents table, rounds alternating.
/// Reports rows a second and the processor time the server spent a row (the machine's busy time minus this process's).
/// </summary>
public static class FirstPositionsBenchmark
{
    private const int RowsPerTransaction = 5_000;
    private const int Connections = 4;
    private const int Rounds = 3;

    /// <summary>Runs <see cref="Rounds"/> rounds of <paramref name="rows"/> rows each way on a fresh database of <paramref name="postgresServer"/>.</summary>
    public static async Task RunAsync(int rows, string postgresServer)
    {
        using var database = BenchDatabase.Postgres(postgresServer);
        var engine = new PostgresEngine(database.ConnectionString, PostgresEngine.DefaultMaxPoolSize, TimeSpan.FromSeconds(30));
        var chunks = Chunks(rows);
        Console.WriteLine(FormattableString.Invariant($"first positions: {rows:N0} rows, transactions of {RowsPerTransaction:N0} on {Connections} connections, {Rounds} rounds"));
        var insert = new List<(double RowsPerSecond, double ServerMicroseconds)>();
        var copy = new List<(double RowsPerSecond, double ServerMicroseconds)>();
        for (var round = 0; round < Rounds; round++)
        {
            insert.Add(await MeasureAsync(engine, chunks, rows, (connection, transaction, chunk) => InsertUnnestAsync(connection, transaction, chunk)));
            copy.Add(await MeasureAsync(engine, chunks, rows, (connection, transaction, chunk) => engine.WriteResidentsAsync(connection, transaction, chunk, [])));
            Console.WriteLine(FormattableString.Invariant(
                $"round {round + 1}: INSERT … unnest {insert[^1].RowsPerSecond:N0} rows/s, server {insert[^1].ServerMicroseconds:F2} µs a row; COPY (the product) {copy[^1].RowsPerSecond:N0} rows/s, server {copy[^1].ServerMicroseconds:F2} µs a row"));
        }

        var serverRatio = Medians.Of(copy.Select(c => c.ServerMicroseconds)) / Medians.Of(insert.Select(i => i.ServerMicroseconds));
        var rateRatio = Medians.Of(copy.Select(c => c.RowsPerSecond)) / Medians.Of(insert.Select(i => i.RowsPerSecond));
        Console.WriteLine(FormattableString.Invariant($"medians: COPY / INSERT … unnest: server time a row {serverRatio:F2}, rows a second {rateRatio:F2}"));
    }

    private static async Task<(double RowsPerSecond, double ServerMicroseconds)> MeasureAsync(
        PostgresEngine engine, List<List<(Geohash Cell, ResidentFix Fix)>> chunks, int rows, Func<NpgsqlConnection, NpgsqlTransaction, List<(Geohash Cell, ResidentFix Fix)>, Task> write)
    {
        await ResetAsync(engine);
        var cpu = CpuUse.Start();
        var elapsed = Stopwatch.StartNew();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Connections }, async (chunk, _) =>
        {
            await using var connection = (NpgsqlConnection)await engine.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await write(connection, transaction, chunk);
            await transaction.CommitAsync();
        });
        elapsed.Stop();
        var use = cpu.Stop();
        return (rows / elapsed.Elapsed.TotalSeconds, use.OthersSeconds * 1e6 / rows);
    }

    // The statement first positions went in by until 2026-11-30.
    private static async Task InsertUnnestAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<(Geohash Cell, ResidentFix Fix)> chunk)
    {
        await using var command = new NpgsqlCommand("INSERT INTO residents (user_id, cell, lat, lon, fix_ms) SELECT * FROM unnest(@users, @cells, @lats, @lons, @fixes)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long[]>("users", chunk.Select(r => r.Fix.UserId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("cells", chunk.Select(r => r.Cell.OrderKey).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<double[]>("lats", chunk.Select(r => r.Fix.Latitude).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<double[]>("lons", chunk.Select(r => r.Fix.Longitude).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("fixes", chunk.Select(r => r.Fix.FixUnixMs).ToArray()));
        await command.ExecuteNonQueryAsync();
    }

    // An empty residents table with the product's schema and indexes, and a checkpoint so that neither way pays for the other's pages.
    private static async Task ResetAsync(PostgresEngine engine)
    {
        await using (var connection = await engine.OpenAsync())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "DROP TABLE IF EXISTS residents";
            await command.ExecuteNonQueryAsync();
        }

        await new ProductSchema(engine).EnsureAsync(5);
        await using (var connection = await engine.OpenAsync())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "CHECKPOINT";
            await command.ExecuteNonQueryAsync();
        }
    }

    // Users in id order, each transaction's in id order (as the writer hands them over), positions spread over south China.
    private static List<List<(Geohash Cell, ResidentFix Fix)>> Chunks(int rows)
    {
        var random = new Random(20261130);
        var chunks = new List<List<(Geohash Cell, ResidentFix Fix)>>();
        for (var start = 0; start < rows; start += RowsPerTransaction)
        {
            var chunk = new List<(Geohash Cell, ResidentFix Fix)>(Math.Min(RowsPerTransaction, rows - start));
            for (var id = start + 1; id <= Math.Min(rows, start + RowsPerTransaction); id++)
            {
                var (latitude, longitude) = (20 + random.NextDouble() * 10, 105 + random.NextDouble() * 15);
                chunk.Add((Geohash.Encode(latitude, longitude, 5), new ResidentFix(id, latitude, longitude, 1_790_000_000_000, false, FirstFix: true)));
            }

            chunks.Add(chunk);
        }

        return chunks;
    }
}
