using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Alerts.Runtime;

/// <summary>The two engines behind one schema: how to connect, and what differs in their SQL.</summary>
public abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    public abstract string Name { get; }

    /// <summary>An open connection.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>Releases pooled connections.</summary>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The dialect for a provider name from configuration.</summary>
    public static SqlDialect For(StorageOptions options) => options.Provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" => new SqliteDialect(options.ConnectionString),
        "postgres" or "postgresql" or "npgsql" => new PostgresDialect(options.ConnectionString),
        _ => throw new InvalidOperationException($"Alerts:Silo:Storage:Provider \"{options.Provider}\" is not supported: use \"sqlite\" or \"postgres\"."),
    };
}

/// <summary>Embedded SQLite: a file (default ./data/alerts.db), WAL journal, created on first use.</summary>
public sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;

    static SqliteDialect() => SQLitePCL.Batteries_V2.Init();

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory) && builder.DataSource != ":memory:") Directory.CreateDirectory(directory);
        _connectionString = builder.ToString();
    }

    public override string Name => "sqlite";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}

/// <summary>PostgreSQL through Npgsql, the production choice.</summary>
public sealed class PostgresDialect(string connectionString) : SqlDialect
{
    // Without an explicit limit, 32 pooled connections: thousands of cells activating at once must queue
    // for connections rather than exhaust the server's max_connections.
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(WithPoolLimit(connectionString));

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static string WithPoolLimit(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase)) builder.MaxPoolSize = 32;
        return builder.ToString();
    }

    public override string Name => "postgres";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
}
