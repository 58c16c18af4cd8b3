using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Alerts.Bench.Compare;

/// <summary>
/// The floor under our dispatch: PostgreSQL's own bulk upsert of the same number of (case_id, user_id) rows into a
/// table keyed like the product's case_recipients, 20,000 rows a statement in key order (unnest arrays, ON CONFLICT DO NOTHING),
/// each statement its own transaction, on one connection or several at once (ours records on as many as the
/// engine's parallel writes). Recording who got a case can never be faster than this.
/// </summary>
public static class DispatchFloor
{
    private const int BatchSize = 20_000;

    /// <summary>Time to upsert <paramref name="userIds"/> for one case in <paramref name="connectionString"/>'s database over <paramref name="connections"/> connections.</summary>
    public static async Task<TimeSpan> MeasureAsync(string connectionString, long[] userIds, int connections)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand("CREATE TABLE floor_recipients (case_id text NOT NULL, user_id bigint NOT NULL, PRIMARY KEY (case_id, user_id))"))
            await create.ExecuteNonQueryAsync();
        // Each statement's rows in key order, as a bulk load would send them (ours sorts its rows the same way).
        var batches = userIds.Chunk(BatchSize).Select(batch => batch.Order().ToArray()).ToList();
        var elapsed = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = connections }, async (batch, _) =>
        {
            await using var insert = dataSource.CreateCommand("INSERT INTO floor_recipients (case_id, user_id) SELECT 'floor', u FROM unnest(@u) AS t(u) ON CONFLICT DO NOTHING");
            insert.Parameters.Add(new NpgsqlParameter<long[]>("u", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = batch });
            await insert.ExecuteNonQueryAsync();
        });
        elapsed.Stop();
        await using (var drop = dataSource.CreateCommand("DROP TABLE floor_recipients"))
            await drop.ExecuteNonQueryAsync();
        return elapsed.Elapsed;
    }
}
