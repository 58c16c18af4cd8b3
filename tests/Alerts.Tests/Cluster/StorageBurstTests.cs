using Alerts.GrainInterfaces;
using Alerts.Silo;
using Alerts.TestSupport;
using Npgsql;

namespace Alerts.Tests;

/// <summary>Bursts of activations on PostgreSQL wait for a bounded pool of connections instead of exhausting the server.</summary>
[Collection(RunsAlone.Name)]
public sealed class StorageBurstTests
{
    [Fact]
    public async Task Twenty_thousand_persistent_grains_activated_at_once_on_two_silos_stay_within_the_connection_bound()
    {
        var database = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(database);
        var clusterId = "burst-" + Guid.NewGuid().ToString("N")[..6];
        var settings = new Dictionary<string, string?>
        {
            ["Alerts:Cluster:ClusterId"] = clusterId,
            ["Alerts:Cluster:OrleansPoolSize"] = "4",
            ["Alerts:Cluster:MaxPoolSize"] = "3",
            // Ten thousand activations per silo queue for four connections: on a loaded 2-core machine the last ones
            // wait longer than Orleans' default 30 s for their answer, and (seen on CI) longer than the default 60 s
            // for a pooled connection. Waiting, not failing, is what is tested.
            [AlertsSilo.ResponseTimeoutSetting] = "00:03:00",
            ["Alerts:Cluster:ConnectionWait"] = "00:03:00",
        };
        var store = new TestStore("postgres", database);
        await using var first = await AlertsSilo.StartAsync(store, settings: settings);
        await using var second = await AlertsSilo.StartAsync(store, settings: settings);

        // Every call reads a case's state from PostgreSQL as it activates; half arrive through each silo.
        var calls = Enumerable.Range(0, 20_000).Select(i => (i % 2 == 0 ? first : second).Grains.GetGrain<ICaseGrain>($"burst-{i}").GetProgress());
        var progress = await Task.WhenAll(calls);

        Assert.All(progress, p => Assert.Equal(CaseStatus.None, p.Status));
        // Pools keep their connections open for a while, so what is open now is what the burst reached.
        await using var connection = new NpgsqlConnection(PostgresServer.Instance.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = @db", connection);
        count.Parameters.AddWithValue("db", new NpgsqlConnectionStringBuilder(database).Database!);
        var open = (long)(await count.ExecuteScalarAsync())!;
        Assert.InRange(open, 1, 2 * (4 + 3));
    }

    [Fact]
    public async Task A_storage_failure_reaches_a_client_as_a_readable_error()
    {
        // A database whose grain state table is gone: every state read fails inside PostgreSQL.
        var database = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(database);
        await using var silo = await AlertsSilo.StartAsync(new TestStore("postgres", database));
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand("DROP TABLE orleansstorage", connection);
            await drop.ExecuteNonQueryAsync();
        }

        await using var client = await silo.ConnectClientAsync();
        // Orleans reports a failed activation as its own exception around the provider's, which the client can read.
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => client.GetGrain<ICaseGrain>("no-table").GetProgress());
        var error = Assert.IsType<StorageUnavailableException>(thrown as StorageUnavailableException ?? thrown.InnerException);
        Assert.Contains("storage failed", error.Message);
        Assert.Contains("orleansstorage", error.Message);
    }
}
