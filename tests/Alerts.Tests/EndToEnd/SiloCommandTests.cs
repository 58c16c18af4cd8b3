using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>The silo's commands: a command word with the wrong arguments, or a misspelt one, is refused instead of starting a silo.</summary>
public sealed class SiloCommandTests
{
    [Theory]
    [InlineData(new[] { "hash-secret" }, "usage: hash-secret <secret>")]
    [InlineData(new[] { "hash-secret", "my", "secret" }, "usage: hash-secret <secret>")]
    [InlineData(new[] { "new-signing-key", "extra" }, "usage: new-signing-key")]
    [InlineData(new[] { "migrat" }, "unknown command \"migrat\"")]
    [InlineData(new[] { "--Alerts:Cluster:Provder=postgres" }, "Alerts:Cluster:Provder is not a setting (misspelt?)")]
    [InlineData(new[] { "migrate", "--Alerts:Cluster:Provder=postgres" }, "Alerts:Cluster:Provder is not a setting (misspelt?)")]
    // Orleans' own membership settings are checked too: this one was ignored, and the silo ran on the default.
    [InlineData(new[] { "--Alerts:Cluster:Membership:ProbeTimout=00:00:01" }, "Alerts:Cluster:Membership:ProbeTimout is not a setting (misspelt?)")]
    public async Task A_wrong_command_line_exits_2_with_usage_instead_of_starting_a_silo(string[] args, string message)
    {
        var (exitCode, output) = await SiloProcess.RunAsync(args);
        Assert.True(exitCode == 2, output);
        Assert.Contains(message, output);
        Assert.DoesNotContain("listening", output);
    }

    [Theory]
    [InlineData("Alerts:DirectoryShards", "0", "Alerts:DirectoryShards must be within [1, 65536]")]
    [InlineData("Alerts:CellPrecision", "13", "Alerts:CellPrecision 13 is invalid")]
    // Orleans refuses it with its own exception, once a stack trace and exit 1.
    [InlineData("Alerts:Cluster:Membership:ProbeTimeout", "0", "Alerts:Cluster:Membership:ProbeTimeout (00:00:00) must be greater than 0")]
    public async Task A_setting_the_host_refuses_as_it_starts_exits_2_with_the_refusal_instead_of_a_crash(string setting, string value, string message)
    {
        var store = StorageKind.Fresh("sqlite");
        var settings = ProcessSettings.For(store.Provider, store.ConnectionString, "refused-" + Guid.NewGuid().ToString("N")[..6]);
        settings[setting] = value;
        settings["Alerts:Cluster:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Alerts:Cluster:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (exitCode, output) = await SiloProcess.RunAsync(["--urls", $"http://127.0.0.1:{FreePorts.Next()}", .. settings.Select(s => $"--{s.Key}={s.Value}")]);
        Assert.True(exitCode == 2, output);
        Assert.Contains(message, output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain("listening", output);
    }

    [Theory]
    [InlineData("20")]
    [InlineData("0")]
    public async Task Migrate_refuses_an_invalid_cell_precision_before_it_writes_anything(string precision)
    {
        // It was written into the database's meta table, where every later silo start refused it for good.
        var store = StorageKind.Fresh("sqlite");
        var (exitCode, output) = await SiloProcess.RunAsync("migrate", $"--Alerts:Cluster:ConnectionString={store.ConnectionString}", $"--Alerts:CellPrecision={precision}");
        Assert.True(exitCode == 2, output);
        Assert.Contains($"Alerts:CellPrecision {precision} is invalid", output);
        Assert.DoesNotContain("schema is current", output);
        Assert.False(File.Exists(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(store.ConnectionString).DataSource), output);
    }

    [Fact]
    public async Task A_connection_wait_npgsql_cannot_take_exits_2_naming_the_setting()
    {
        // Npgsql takes at most 1024 s: a longer wait threw from inside the host's building and aborted the process (134).
        var store = StorageKind.Fresh("postgres");
        var settings = ProcessSettings.For(store.Provider, store.ConnectionString, "wait-" + Guid.NewGuid().ToString("N")[..6]);
        // A migrated database, so that the schema check does not refuse first.
        await Alerts.Silo.SiloCommands.ApplySchemaAsync(new Alerts.Silo.ClusterSettings { Provider = store.Provider, ConnectionString = store.ConnectionString }, 5);
        settings["Alerts:Cluster:ConnectionWait"] = "00:20:00";
        var (exitCode, output) = await RunSiloAsync(settings);
        Assert.True(exitCode == 2, output);
        Assert.Contains("Alerts:Cluster:ConnectionWait", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task A_data_folder_the_silo_cannot_write_exits_2_naming_it_and_the_setting()
    {
        // A folder under a regular file: no one can create it, root included. It threw from the key file's write (134).
        var file = ScratchFolder.NewFile("");
        await File.WriteAllTextAsync(file, "not a folder");
        var settings = ProcessSettings.For("sqlite", $"Data Source={Path.Combine(file, "alerts.db")}", "folder-" + Guid.NewGuid().ToString("N")[..6]);
        // The embedded silo makes its signing key in the data folder when none is configured.
        settings.Remove("Alerts:Security:SigningKey");
        var (exitCode, output) = await RunSiloAsync(settings);
        Assert.True(exitCode == 2, output);
        Assert.Contains(file, output);
        Assert.Contains("Alerts:Cluster:ConnectionString", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Hash_secret_prints_a_hash_that_is_not_the_secret()
    {
        var (exitCode, output) = await SiloProcess.RunAsync("hash-secret", "s3cret with spaces");
        Assert.True(exitCode == 0, output);
        var hash = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("s3cret", hash);
        Assert.True(Alerts.Grains.CredentialHash.Verify("s3cret with spaces", hash), hash);
    }

    [Theory]
    [InlineData("s3cret")]
    [InlineData("fifteen-chars-x")]
    public async Task Hash_secret_refuses_a_short_secret_without_repeating_it(string secret)
    {
        // The README's example was `hash-secret s3cret`: a configured gateway or admin anyone could sign in as by guessing.
        var (exitCode, output) = await SiloProcess.RunAsync("hash-secret", secret);
        Assert.True(exitCode == 2, output);
        Assert.Contains($"hash-secret: the secret has {secret.Length} characters, too few: it must have at least 16", output);
        Assert.DoesNotContain(secret, output);
        Assert.DoesNotContain("pbkdf2", output);
    }

    private static Task<(int ExitCode, string Output)> RunSiloAsync(Dictionary<string, string?> settings)
    {
        settings["Alerts:Cluster:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Alerts:Cluster:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return SiloProcess.RunAsync(["--urls", $"http://127.0.0.1:{FreePorts.Next()}", .. settings.Select(s => $"--{s.Key}={s.Value}")]);
    }
}
