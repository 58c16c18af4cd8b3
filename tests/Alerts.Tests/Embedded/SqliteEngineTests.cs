using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>What every connection of the embedded store is opened with: the durability an answer promises.</summary>
public sealed class SqliteEngineTests
{
    [Fact]
    public async Task Each_connection_logs_ahead_syncs_each_commit_and_waits_for_another_writer()
    {
        await using var engine = new SqliteEngine(StorageKind.Fresh("sqlite").ConnectionString);
        await using var connection = await engine.OpenAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        // 2 is FULL: a commit is on disk before it returns, power loss included (NORMAL, 1, may roll it back).
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("PRAGMA synchronous"));
        Assert.Equal(30_000, await connection.ExecuteScalarAsync<int>("PRAGMA busy_timeout"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; the product runs on Linux
    public async Task A_new_database_file_and_its_log_are_their_owners_only_in_a_folder_others_may_read()
    {
        var folder = ScratchFolder.NewFolder();
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var path = Path.Combine(folder, "alerts.db");
        await using var engine = new SqliteEngine($"Data Source={path}");
        await using (var connection = await engine.OpenAsync())
            await connection.ExecuteAsync("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerOnly, File.GetUnixFileMode(path));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(path + "-wal"));
    }
}
