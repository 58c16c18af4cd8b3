using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Tests;

/// <summary>What every connection of the embedded store is opened with (the durability an answer promises), and who may read its file.</summary>
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

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_silo_started_on_a_database_others_may_read_makes_it_and_its_log_files_owner_only_and_warns()
    {
        var store = StorageKind.Fresh("sqlite");
        var path = new SqliteConnectionStringBuilder(store.ConnectionString).DataSource;
        var files = new[] { path, path + "-wal", path + "-shm" };
        // As a build before 2026-12-02 left them under the usual umask (022): empty, as SQLite takes them.
        foreach (var file in files)
        {
            await File.WriteAllBytesAsync(file, []);
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        }

        var log = new CapturedLog();
        await using var silo = await AlertsSilo.StartAsync(store, services: s => s.AddSingleton<ILoggerProvider>(log));

        Assert.All(files, file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
        Assert.Collection(log.Warnings("made owner-only (0600)"), files.Select(file => (Action<string>)(warning =>
        {
            Assert.StartsWith(file + " could be used by its group or others (mode 0644)", warning);
        })).ToArray());
        // Still the silo's database: it answers.
        Assert.Equal(0, (await silo.Residents.CountAsync()).Residents);
    }
}
