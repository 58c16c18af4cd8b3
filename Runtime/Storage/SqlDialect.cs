using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Alerts.Runtime;

/// <summary>The two engines behind one schema: how to connect, and what differs in their SQL.</summary>
public abstract class SqlDialect
{
    /// <summary>"sqlite" or "postgres".</summary>
    public abstract string Name { get; }

    /// <summary>An open connection.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default);

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
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Name => "postgres";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
}
