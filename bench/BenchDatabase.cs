namespace Alerts.Bench;

/// <summary>A throwaway SQLite file for one benchmark run; the file and its WAL are deleted on dispose.</summary>
public sealed class BenchDatabase : IDisposable
{
    /// <summary>Path of the database file.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "alerts-bench-" + Guid.NewGuid().ToString("N") + ".db");

    /// <summary>The connection string for the storage settings.</summary>
    public string ConnectionString => $"Data Source={Path}";

    public void Dispose()
    {
        // A 10 M-user run leaves gigabytes of write-ahead log: remove it with the database.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(Path + suffix);
    }
}
