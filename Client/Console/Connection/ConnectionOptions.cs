using System.CommandLine;

namespace Alerts.Cli;

/// <summary>The options every command takes to find the cluster and sign in; each also reads an environment variable and the config file.</summary>
public sealed class ConnectionOptions
{
    /// <summary>The operator credential the embedded silo writes on first start, read when no credential is given (run from the repository's root).</summary>
    public const string EmbeddedCredentialFile = "Silo/data/operator.credential";

    /// <summary><c>--cluster-id</c> / ALERTS_CLUSTER_ID.</summary>
    public Option<string?> ClusterId { get; } = new("--cluster-id") { Description = "Cluster id (silos' Alerts:Cluster:ClusterId) [env ALERTS_CLUSTER_ID; default alerts]", Recursive = true };

    /// <summary><c>--service-id</c> / ALERTS_SERVICE_ID.</summary>
    public Option<string?> ServiceId { get; } = new("--service-id") { Description = "Service id (silos' Alerts:Cluster:ServiceId) [env ALERTS_SERVICE_ID; default alerts]", Recursive = true };

    /// <summary><c>--gateway</c> / ALERTS_GATEWAYS.</summary>
    public Option<string[]> Gateways { get; } = new("--gateway") { Description = "A silo gateway as ip:port; repeat for several [env ALERTS_GATEWAYS, comma-separated; default 127.0.0.1:30000, the embedded silo]", Recursive = true };

    /// <summary><c>--membership</c> / ALERTS_MEMBERSHIP.</summary>
    public Option<string?> Membership { get; } = new("--membership") { Description = "PostgreSQL connection string of a cluster's membership table; finds the gateways there [env ALERTS_MEMBERSHIP]", Recursive = true };

    /// <summary><c>--credential</c> / ALERTS_CREDENTIAL.</summary>
    public Option<string?> Credential { get; } = new("--credential") { Description = "Client credential as name:secret [env ALERTS_CREDENTIAL]", Recursive = true };

    /// <summary><c>--credential-file</c> / ALERTS_CREDENTIAL_FILE.</summary>
    public Option<string?> CredentialFile { get; } = new("--credential-file") { Description = $"File holding name:secret (as written by `credential create --save`) [env ALERTS_CREDENTIAL_FILE; default {EmbeddedCredentialFile} if present]", Recursive = true };

    /// <summary><c>--config</c> / ALERTS_CONFIG.</summary>
    public Option<string?> Config { get; } = new("--config") { Description = "JSON file with any of clusterId, serviceId, gateways, membership, credential, credentialFile [env ALERTS_CONFIG]", Recursive = true };

    /// <summary><c>--json</c>.</summary>
    public Option<bool> Json { get; } = new("--json") { Description = "Write machine-readable JSON to standard output instead of tables", Recursive = true };

    /// <summary>Adds every option to the root command (they apply to all subcommands).</summary>
    public void AddTo(Command root)
    {
        foreach (var option in new Option[] { ClusterId, ServiceId, Gateways, Membership, Credential, CredentialFile, Config, Json }) root.Add(option);
    }
}
