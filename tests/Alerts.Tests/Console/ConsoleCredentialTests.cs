using System.Text.Json;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>Operators make and revoke client credentials with the console: the secret shown once, stored only as a hash, a revoked one refused.</summary>
public sealed class ConsoleCredentialTests(ConsoleSilo fixture) : IClassFixture<ConsoleSilo>
{
    [Fact]
    public async Task A_credential_saved_to_a_file_is_owner_only_signs_in_with_its_roles_and_stops_working_when_revoked()
    {
        var file = Path.Combine(fixture.WorkingDirectory, "ops-admin.credential");
        var created = await ConsoleSilo.MustSucceed(fixture.RunAsOperatorAsync("credential", "create", "ops-admin", "--role", "admin", "--save", file));
        Assert.Contains("saved to", created.StandardOutput);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var secret = File.ReadAllText(file).Trim().Split(':')[1];
        Assert.DoesNotContain(secret, created.StandardOutput);

        await ConsoleSilo.MustSucceed(fixture.RunAsync(file, "case", "list"));
        var list = JsonDocument.Parse((await ConsoleSilo.MustSucceed(fixture.RunAsOperatorAsync("credential", "list", "--json"))).StandardOutput).RootElement;
        var entry = list.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "ops-admin");
        Assert.Equal(["admin"], entry.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.DoesNotContain(secret, list.GetRawText());

        // The same name twice is refused; saving over an existing file too.
        var twice = await fixture.RunAsOperatorAsync("credential", "create", "ops-admin", "--role", "admin");
        Assert.Equal(5, twice.ExitCode);
        Assert.Contains("already exists", twice.StandardError);
        var overwrite = await fixture.RunAsOperatorAsync("credential", "create", "ops-other", "--role", "admin", "--save", file);
        Assert.Equal(2, overwrite.ExitCode);

        await ConsoleSilo.MustSucceed(fixture.RunAsOperatorAsync("credential", "revoke", "ops-admin"));
        var refused = await fixture.RunAsync(file, "case", "list");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("sign-in refused for ops-admin", refused.StandardError);
    }

    [Fact]
    public async Task A_save_file_that_cannot_be_made_is_refused_before_the_credential_exists()
    {
        var unwritable = Path.Combine(fixture.WorkingDirectory, "no-such-folder", "lost.credential");
        var refused = await fixture.RunAsOperatorAsync("credential", "create", "not-lost", "--role", "admin", "--save", unwritable);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains($"save file {unwritable} cannot be created", refused.StandardError);

        // The name is still free: nothing was made whose secret nobody saw.
        var file = Path.Combine(fixture.WorkingDirectory, "not-lost.credential");
        await ConsoleSilo.MustSucceed(fixture.RunAsOperatorAsync("credential", "create", "not-lost", "--role", "admin", "--save", file));
        await ConsoleSilo.MustSucceed(fixture.RunAsync(file, "case", "list"));
    }

    [Fact]
    public async Task A_credential_printed_instead_of_saved_shows_its_secret_once_and_works()
    {
        var created = JsonDocument.Parse((await ConsoleSilo.MustSucceed(fixture.RunAsOperatorAsync("credential", "create", "printed-gw", "--role", "gateway", "--json"))).StandardOutput).RootElement;
        var credential = created.GetProperty("credential").GetString()!;
        Assert.StartsWith("printed-gw:", credential, StringComparison.Ordinal);

        var environment = fixture.Environment(fixture.AdminCredential);
        environment.Remove("ALERTS_CREDENTIAL_FILE");
        environment["ALERTS_CREDENTIAL"] = credential;
        var run = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, environment, "user", "opt-out", "77");
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; the product runs on Linux
    public async Task A_credential_file_or_a_config_holding_a_credential_that_others_may_read_is_refused_until_owner_only()
    {
        var file = Path.Combine(fixture.WorkingDirectory, "shared.credential");
        File.Copy(fixture.AdminCredential, file);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var refused = await fixture.RunAsync(file, "case", "list");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"credential file {file} holds a secret but its group or others may use it (mode 0640): make it owner-only, e.g. chmod 600 {file}", refused.StandardError);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await ConsoleSilo.MustSucceed(fixture.RunAsync(file, "case", "list"));

        // A config file is checked only when it carries the secret itself: one naming a credential file may be shared.
        var config = Path.Combine(fixture.WorkingDirectory, "inline.json");
        var gateway = $"127.0.0.1:{fixture.Silo.GatewayPort}";
        File.WriteAllText(config, JsonSerializer.Serialize(new { clusterId = fixture.ClusterId, gateways = new[] { gateway }, credential = File.ReadAllText(file).Trim() }));
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var inline = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, null, "case", "list", "--config", config);
        Assert.Equal(2, inline.ExitCode);
        Assert.Contains($"config file {config} holds a secret but its group or others may use it (mode 0604)", inline.StandardError);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var owned = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, null, "case", "list", "--config", config);
        Assert.True(owned.ExitCode == 0, owned.ToString());

        File.WriteAllText(config, JsonSerializer.Serialize(new { clusterId = fixture.ClusterId, gateways = new[] { gateway }, credentialFile = file }));
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var shared = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, null, "case", "list", "--config", config);
        Assert.True(shared.ExitCode == 0, shared.ToString());
    }

    [Fact]
    public async Task A_config_file_names_the_cluster_and_the_credential_and_a_broken_one_is_refused()
    {
        var config = Path.Combine(fixture.WorkingDirectory, "console.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { clusterId = fixture.ClusterId, gateways = new[] { $"127.0.0.1:{fixture.Silo.GatewayPort}" }, credentialFile = fixture.AdminCredential }));
        var run = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, new Dictionary<string, string> { ["ALERTS_CONFIG"] = config }, "case", "list", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());

        File.WriteAllText(config, "{ not json");
        var broken = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, null, "case", "list", "--config", config);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("is not valid JSON", broken.StandardError);

        // A misspelt key would leave the console on its defaults (a local silo, another credential): refused, named.
        File.WriteAllText(config, JsonSerializer.Serialize(new { clusterId = fixture.ClusterId, gateway = new[] { $"127.0.0.1:{fixture.Silo.GatewayPort}" }, credentialFile = fixture.AdminCredential }));
        var misspelt = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, null, "case", "list", "--config", config);
        Assert.Equal(2, misspelt.ExitCode);
        Assert.Contains($"config file {config} has an unknown key \"gateway\": the keys are clusterId, serviceId, gateways, membership, credential, credentialFile", misspelt.StandardError);
    }
}
