using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Alerts.Bench.Compare;

/// <summary>
/// The floor under our dispatch: PostgreSQL's own bulk upsert of the same number of (case_id, user_id) rows into a
/// table keyed like the product's case_recipients, 20,000 rows a statement (unnest arrays, ON CONFLICT DO NOTHING),
/// each statement its own transaction, one connection. Recording who got a case can never be faster than this.
/// </summary>
public static class DispatchFloor
{
    private const int BatchSize = 20_000;

    /// <summary>Time to upsert <paramref name="userIds"/> for one case in <paramref name="connectionString"/>'s database.</summary>
    public static async Task<TimeSpan> MeasureAsync(string connectionString, long[] userIds)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE floor_recipients (case_id text NOT NULL, user_id bigint NOT NULL, PRIMARY KEY (case_id, user_id))", connection))
            await create.ExecuteNonQueryAsync();
        var elapsed = Stopwatch.StartNew();
        foreach (var batch in userIds.Chunk(BatchSize))
        {
            await using var insert = new NpgsqlCommand("INSERT INTO floor_recipients (case_id, user_id) SELECT 'floor', u FROM unnest(@u) AS t(u) ON CONFLICT DO NOTHING", connection);
            insert.Parameters.Add(new NpgsqlParameter<long[]>("u", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = batch });
            await insert.ExecuteNonQueryAsync();
        }

        elapsed.Stop();
        await using (var drop = new NpgsqlCommand("DROP TABLE floor_recipients", connection))
            await drop.ExecuteNonQueryAsync();
        return elapsed.Elapsed;
    }
}
