using System.Data.Common;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// The database behind the product's tables: how to connect and the few statements that differ between
/// engines. Each engine answers its own differences, so the stores never ask which engine they run on.
/// </summary>
public abstract class StoreEngine : IAsyncDisposable, IDisposable
{
    /// <summary>A short name for logs and health reports ("sqlite", "postgres").</summary>
    public abstract string Name { get; }

    /// <summary>Where the data lives, without secrets (a file path, or host/port/database).</summary>
    public abstract string Location { get; }

    /// <summary>The column type of the residents' user id key.</summary>
    public abstract string UserKeyType { get; }

    /// <summary>An open connection.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>A condition that <paramref name="column"/> is one of the values in the list parameter <paramref name="parameter"/>.</summary>
    public abstract string AnyOf(string column, string parameter);

    /// <summary>An expression for the database server's time now in Unix milliseconds: one clock for every silo of a cluster.</summary>
    public abstract string NowMilliseconds { get; }

    /// <summary>The column definition of an ever-growing sequence key (the audit log's).</summary>
    public abstract string SequenceKey { get; }

    /// <summary>Statements that make <paramref name="table"/> append-only: any UPDATE or DELETE fails.</summary>
    public abstract string AppendOnly(string table);

    /// <summary>A statement that leaves room in <paramref name="table"/>'s pages for rows updated in place, or null where the engine has no such setting.</summary>
    public virtual string? RoomForUpdates(string table) => null;

    /// <summary>A row source <c>ids(id)</c> of the user ids in parameter <paramref name="parameter"/>, whose value is <see cref="IdList"/>'s.</summary>
    public abstract string IdRows(string parameter);

    /// <summary>A condition that <paramref name="column"/> is one of the user ids in parameter <paramref name="parameter"/> (<see cref="IdList"/>'s value), for the column's index to be probed per id.</summary>
    public virtual string AmongIds(string column, string parameter) => $"{column} IN (SELECT id FROM {IdRows(parameter)})";

    /// <summary>The parameter value <see cref="IdRows"/> reads (one parameter however many ids: binding thousands by name is what costs).</summary>
    public abstract object IdList(IReadOnlyCollection<long> ids);

    /// <summary>A statement that deletes the residents' rows whose fix is older than <c>@cutoff</c> (Unix ms).</summary>
    public virtual string DeleteStaleResidents => "DELETE FROM residents WHERE fix_ms < @cutoff";

    /// <summary>
    /// Writes position upserts (one per user, in user order) and removals inside <paramref name="transaction"/>; returns
    /// the users whose removal it left because another transaction holds their row (see <see cref="ResidentStore.FlushResidentsAsync"/>).
    /// </summary>
    public abstract Task<IReadOnlyCollection<long>> WriteResidentsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(Geohash Cell, ResidentFix Fix)> upserts, IReadOnlyCollection<(Geohash Cell, long UserId)> removals);

    /// <summary>
    /// Inserts rows given column by column (arrays of equal length, nulls allowed) inside <paramref name="transaction"/>,
    /// skipping rows whose key (the first <paramref name="keyColumns"/> columns) is stored already; true for each row
    /// inserted. Keys must be distinct within one call. One statement for the batch where round trips cost (PostgreSQL).
    /// </summary>
    public abstract Task<bool[]> InsertNewRowsAsync(DbConnection connection, DbTransaction transaction, string table, int keyColumns, IReadOnlyList<(string Column, Array Values)> columns);

    /// <summary>
    /// Converts the residents' cells from geohash text (databases made before cells were stored as
    /// <see cref="Geohash.OrderKey"/>s) to keys, index included, inside <paramref name="transaction"/>; false when they are keys already.
    /// </summary>
    public abstract Task<bool> ConvertTextCellsAsync(DbConnection connection, DbTransaction transaction);

    /// <summary>The declared type of <paramref name="table"/>'s <paramref name="column"/> as the engine names it ("TEXT", "text"), or null when the table has no such column.</summary>
    public abstract Task<string?> ColumnTypeAsync(DbConnection connection, DbTransaction transaction, string table, string column);

    /// <summary>Transactions of position writes worth running at once: 1 where the engine has a single writer.</summary>
    public virtual int ParallelWrites => 1;

    /// <summary>Serialises schema changes between processes for the rest of <paramref name="transaction"/>.</summary>
    public virtual Task LockSchemaAsync(DbConnection connection, DbTransaction transaction) => Task.CompletedTask;

    /// <summary>
    /// Makes the files this store keeps on this machine its owner's only where their group or others may use them,
    /// logging each change (or, when a file cannot be changed, what to run); nothing for a database on a server.
    /// </summary>
    public virtual void KeepOwnerOnly(ILogger logger)
    {
    }

    /// <summary>Releases pooled connections.</summary>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Releases pooled connections (for a host disposed synchronously).</summary>
    public virtual void Dispose()
    {
    }

    /// <summary>Guards a resident upsert: a newer fix always wins.</summary>
    protected const string UpsertResident = """
        ON CONFLICT (user_id) DO UPDATE SET cell = excluded.cell, lat = excluded.lat, lon = excluded.lon, fix_ms = excluded.fix_ms
        WHERE excluded.fix_ms >= residents.fix_ms
        """;

    /// <summary>The engine for a provider name from configuration ("sqlite" or "postgres").</summary>
    public static StoreEngine For(string provider, string connectionString, int maxPoolSize = PostgresEngine.DefaultMaxPoolSize, TimeSpan? connectionWait = null) =>
        provider.Trim().ToLowerInvariant() switch
        {
            "sqlite" => new SqliteEngine(connectionString),
            "postgres" or "postgresql" => new PostgresEngine(connectionString, maxPoolSize, connectionWait ?? TimeSpan.FromSeconds(60)),
            _ => throw new InvalidOperationException($"Alerts:Cluster:Provider \"{provider}\" is not supported: use \"sqlite\" (embedded) or \"postgres\" (cluster)."),
        };
}
