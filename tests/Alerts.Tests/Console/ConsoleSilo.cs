using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// One embedded silo process with its own data folder for the console tests, and the credentials a newcomer
/// makes with the console: the silo's bootstrap operator credential, then a gateway and an admin credential.
/// </summary>
public sealed class ConsoleSilo : IAsyncLifetime
{
    private SiloProcess? _silo;

    /// <summary>The folder the console runs in (credential files are saved here).</summary>
    public string WorkingDirectory { get; } = Directory.CreateDirectory(ScratchFolder.NewFile("")).FullName;

    /// <summary>The silo's data folder: its SQLite file, signing key and operator credential.</summary>
    public string DataDirectory => Path.Combine(WorkingDirectory, "data");

    /// <summary>The cluster id (unique per fixture).</summary>
    public string ClusterId { get; } = "console-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>The silo process.</summary>
    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("not started");

    /// <summary>The operator credential file the silo wrote.</summary>
    public string OperatorCredential => Path.Combine(DataDirectory, "operator.credential");

    /// <summary>Files holding the gateway's and the admin's credentials, made with <c>credential create --save</c>.</summary>
    public string GatewayCredential => Path.Combine(WorkingDirectory, "gateway.credential");

    /// <inheritdoc cref="GatewayCredential"/>
    public string AdminCredential => Path.Combine(WorkingDirectory, "admin.credential");

    /// <summary>The second admin's credential file: approves what the first files (the two-person rule).</summary>
    public string ApproverCredential => Path.Combine(WorkingDirectory, "approver.credential");

    public async Task InitializeAsync()
    {
        var settings = ProcessSettings.For("sqlite", $"Data Source={Path.Combine(DataDirectory, "alerts.db")}", ClusterId);
        // The embedded default: no configured clients, the silo makes its own signing key and operator credential.
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Alerts:Security:", StringComparison.Ordinal)).ToList()) settings.Remove(key);
        _silo = await SiloProcess.StartAsync(settings, "console-silo");
        await MustSucceed(RunAsOperatorAsync("credential", "create", "gateway-1", "--role", "gateway", "--save", GatewayCredential));
        await MustSucceed(RunAsOperatorAsync("credential", "create", "admin-1", "--role", "admin", "--save", AdminCredential));
        await MustSucceed(RunAsOperatorAsync("credential", "create", "admin-2", "--role", "admin", "--save", ApproverCredential));
    }

    /// <summary>The options <c>case open</c> requires besides the id, the point and the message, with valid values; <paramref name="extra"/> adds options or replaces these.</summary>
    public static string[] CaseDetails(params string[] extra)
    {
        string[][] details =
        [
            ["--child-name", "Li Wei"], ["--age", "6"], ["--sex", "male"], ["--last-seen-at", "2026-10-31T14:05:00+08:00"], ["--last-seen-place", "Futian station"],
            ["--police-ref", "SZ-2026-0042"], ["--contact-phone", "+86 755 110"], ["--correction", "Correction: please disregard the alert for Li Wei, sent in error."],
        ];
        return [.. details.Where(d => !extra.Contains(d[0])).SelectMany(d => d), .. extra];
    }

    /// <summary>Runs the console as the second admin.</summary>
    public Task<ConsoleRun> RunAsApproverAsync(params string[] args) => RunAsync(ApproverCredential, args);

    /// <summary>Runs the console as the operator.</summary>
    public Task<ConsoleRun> RunAsOperatorAsync(params string[] args) => RunAsync(OperatorCredential, args);

    /// <summary>Runs the console as the admin.</summary>
    public Task<ConsoleRun> RunAsAdminAsync(params string[] args) => RunAsync(AdminCredential, args);

    /// <summary>Runs the console as the gateway.</summary>
    public Task<ConsoleRun> RunAsGatewayAsync(params string[] args) => RunAsync(GatewayCredential, args);

    /// <summary>Runs the console with the given credential file, pointed at this silo through environment variables.</summary>
    public Task<ConsoleRun> RunAsync(string credentialFile, params string[] args) =>
        ConsoleProcess.RunAsync(WorkingDirectory, Environment(credentialFile), args);

    /// <summary>The environment that points the console at this silo with a credential file.</summary>
    public Dictionary<string, string> Environment(string credentialFile) => new()
    {
        ["ALERTS_CLUSTER_ID"] = ClusterId,
        ["ALERTS_GATEWAYS"] = $"127.0.0.1:{Silo.GatewayPort}",
        ["ALERTS_CREDENTIAL_FILE"] = credentialFile,
    };

    /// <summary>Fails with the run's output unless it exited with 0.</summary>
    public static async Task<ConsoleRun> MustSucceed(Task<ConsoleRun> running)
    {
        var run = await running;
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null) await _silo.DisposeAsync();
    }
}
