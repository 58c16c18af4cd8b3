using System.Data.Common;
using Npgsql;

namespace Alerts.Grains;

/// <summary>A PostgreSQL connection string with the silo's pool bound and connection wait, unless it sets them itself.</summary>
public static class PostgresPool
{
    // Npgsql's spellings of the two settings (spaces and case do not count). Matching whole keys: "Minimum Pool Size" or
    // "Command Timeout" in a string once left the pool at Npgsql's 100 connections and the wait at its 15 seconds.
    private static readonly string[] PoolSizeKeys = ["maxpoolsize", "maximumpoolsize"];
    private static readonly string[] WaitKeys = ["timeout", "connecttimeout", "connectiontimeout"];

    /// <summary>
    /// <paramref name="connectionString"/> with Maximum Pool Size <paramref name="maxPoolSize"/> and Timeout
    /// <paramref name="wait"/>, each unless the string gives it.
    /// </summary>
    public static string Bounded(string connectionString, int maxPoolSize, TimeSpan wait)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Overlaps(PoolSizeKeys)) builder.MaxPoolSize = maxPoolSize;
        if (!given.Overlaps(WaitKeys)) builder.Timeout = (int)wait.TotalSeconds;
        return builder.ToString();
    }
}
