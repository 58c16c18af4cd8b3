using System.Diagnostics;

namespace Alerts.TestSupport;

/// <summary>
/// A PostgreSQL server for the storage tests: $ALERTS_TEST_POSTGRES when set, otherwise a throwaway
/// cluster started from Debian's postgresql binaries in a temporary folder (removed at the end).
/// The comparison harness starts one of its own with durable commits (<see cref="Start"/>).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly Lazy<PostgresServer> Shared = new(() => new PostgresServer());
    private readonly string? _dataDir;
    private readonly string? _binDir;

    private PostgresServer() : this(Environment.GetEnvironmentVariable("ALERTS_TEST_POSTGRES"), "-c fsync=off")
    {
    }

    private PostgresServer(string? fromEnv, string settings)
    {
        if (!string.IsNullOrEmpty(fromEnv))
        {
            ConnectionString = fromEnv;
            return;
        }

        _binDir = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).OrderDescending().FirstOrDefault()
            : null;
        if (_binDir is null)
            throw new InvalidOperationException("PostgreSQL server binaries not found: install Debian's postgresql package (apt-get install postgresql) or set ALERTS_TEST_POSTGRES to a connection string.");

        _dataDir = Path.Combine(Path.GetTempPath(), "alerts-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dataDir);
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", $"postgres:postgres {_dataDir}");
        var port = FreePorts.Next();
        RunPg("initdb", $"-D {_dataDir}/db -U alerts --auth=trust -E UTF8", asRoot);
        // Every test silo in the run shares this server, each with its own pools: 400 was once not enough on CI.
        RunPg("pg_ctl", $"-D {_dataDir}/db -o \"-p {port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c max_connections=800 {settings}\" -w -l {_dataDir}/log start", asRoot);
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=alerts;Database=postgres;Pooling=true";
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        StopWhenThisProcessEnds(asRoot);
    }

    /// <summary>The server shared by all tests in this process.</summary>
    public static PostgresServer Instance => Shared.Value;

    /// <summary>
    /// A throwaway server of its own (never $ALERTS_TEST_POSTGRES), started with <paramref name="settings"/>
    /// (e.g. <c>-c shared_buffers=2GB</c>); durable commits unless the settings say otherwise. Stopped on dispose.
    /// </summary>
    public static PostgresServer Start(string settings = "") => new(null, settings);

    /// <summary>Connection string to the server's postgres database.</summary>
    public string ConnectionString { get; }

    /// <summary>A fresh, empty database on the server, so each test starts clean.</summary>
    public string CreateDatabase()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..12];
        using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE {name}";
        command.ExecuteNonQuery();
        return new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ToString();
    }

    /// <summary>
    /// A fresh database with PostGIS (<c>CREATE EXTENSION postgis</c>); Debian's postgresql-15-postgis-3 must be
    /// installed beside the server (<c>.ci/run</c> installs it).
    /// </summary>
    public string CreatePostgisDatabase()
    {
        var connectionString = CreateDatabase();
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE EXTENSION IF NOT EXISTS postgis";
        try
        {
            command.ExecuteNonQuery();
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "0A000" || e.SqlState == "58P01")
        {
            throw new InvalidOperationException($"PostGIS is not installed beside this PostgreSQL server (apt-get install postgresql-15-postgis-3): {e.MessageText}", e);
        }

        return connectionString;
    }

    public void Dispose()
    {
        if (_dataDir is null || !Directory.Exists(_dataDir)) return;
        try
        {
            RunPg("pg_ctl", $"-D {_dataDir}/db -m immediate stop", Environment.UserName == "root");
        }
        catch (InvalidOperationException)
        {
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    // The test host is not always let run its exit handlers (it can be killed at the end of a run), and a
    // server left behind keeps its memory and port: a watchdog in its own session stops it once this process is gone.
    private void StopWhenThisProcessEnds(bool asRoot)
    {
        var stop = $"{Path.Combine(_binDir!, "pg_ctl")} -D {_dataDir}/db -m immediate stop";
        if (asRoot) stop = $"runuser -u postgres -- {stop}";
        var watch = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 2; done; {stop} >/dev/null 2>&1; rm -rf {_dataDir}";
        using var watchdog = Process.Start(new ProcessStartInfo("setsid", ["-f", "sh", "-c", watch]) { UseShellExecute = false });
    }

    private void RunPg(string tool, string arguments, bool asRoot)
    {
        var path = Path.Combine(_binDir!, tool);
        if (asRoot) Run("runuser", $"-u postgres -- {path} {arguments}");
        else Run(path, arguments);
    }

    private static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {stderr} {stdout.Result}");
    }

}
