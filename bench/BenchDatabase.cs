using Npgsql;

namespace Alerts.Bench;

/// <summary>
/// A throwaway store for one benchmark run: a SQLite file (deleted with its WAL on dispose) or, given a
/// PostgreSQL server, a fresh database on it (dropped on dispose).
/// </summary>
public sealed class BenchDatabase : IDisposable
{
    private readonly string? _sqlitePath;
    private readonly string? _postgresServer;
    private readonly string? _postgresDatabase;

    private BenchDatabase(string provider, string connectionString, string? sqlitePath = null, string? postgresServer = null, string? postgresDatabase = null)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqlitePath = sqlitePath;
        _postgresServer = postgresServer;
        _postgresDatabase = postgresDatabase;
    }

    /// <summary>"sqlite" or "postgres", for the storage settings.</summary>
    public string Provider { get; }

    /// <summary>The connection string for the storage settings.</summary>
    public string ConnectionString { get; }

    /// <summary>A new SQLite file in the temp folder.</summary>
    public static BenchDatabase Sqlite()
    {
        var path = Path.Combine(Path.GetTempPath(), "alerts-bench-" + Guid.NewGuid().ToString("N") + ".db");
        return new BenchDatabase("sqlite", $"Data Source={path}", sqlitePath: path);
    }

    /// <summary>A new database on the PostgreSQL server the connection string points at.</summary>
    public static BenchDatabase Postgres(string serverConnectionString)
    {
        var name = "alerts_bench_" + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ToString();
        return new BenchDatabase("postgres", connectionString, postgresServer: serverConnectionString, postgresDatabase: name);
    }

    /// <summary>
    /// What an operator's `migrate` does before a cluster's first start (the product's tables at the run's cell precision);
    /// the embedded silo makes its own file's tables.
    /// </summary>
    public async Task MigrateAsync()
    {
        if (Provider != "postgres") return;
        var precision = BenchSettings.Overrides().GetValueOrDefault("Alerts:CellPrecision") is { } configured ? int.Parse(configured, System.Globalization.CultureInfo.InvariantCulture) : new Alerts.Grains.AlertsOptions().CellPrecision;
        await Alerts.Silo.SiloCommands.ApplySchemaAsync(new Alerts.Silo.ClusterSettings { Provider = Provider, ConnectionString = ConnectionString }, precision);
    }

    public void Dispose()
    {
        if (_sqlitePath is not null)
        {
            // A 10 M-user run leaves gigabytes of write-ahead log: remove it with the database.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_sqlitePath + suffix);
        }

        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(_postgresServer);
            connection.Open();
            using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresDatabase} WITH (FORCE)", connection);
            command.ExecuteNonQuery();
        }
    }
}
