using System.Diagnostics;

namespace Alerts.TestSupport;

/// <summary>
/// A PostgreSQL server for the storage tests: $ALERTS_TEST_POSTGRES when set, otherwise a throwaway
/// cluster started from Debian's postgresql binaries in a temporary folder (removed at the end).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly Lazy<PostgresServer> Shared = new(() => new PostgresServer());
    private readonly string? _dataDir;
    private readonly string? _binDir;

    private PostgresServer()
    {
        var fromEnv = Environment.GetEnvironmentVariable("ALERTS_TEST_POSTGRES");
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
        RunPg("pg_ctl", $"-D {_dataDir}/db -o \"-p {port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400\" -w -l {_dataDir}/log start", asRoot);
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=alerts;Database=postgres;Pooling=true";
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>The server shared by all tests in this process.</summary>
    public static PostgresServer Instance => Shared.Value;

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
