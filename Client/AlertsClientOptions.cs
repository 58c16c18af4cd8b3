namespace Alerts.Client;

/// <summary>Where the cluster is and who is calling: the settings a gateway or console connects with.</summary>
public sealed class AlertsClientOptions
{
    /// <summary>The cluster's id (silos' Alerts:Cluster:ClusterId).</summary>
    public string ClusterId { get; set; } = "alerts";

    /// <summary>The service's id (silos' Alerts:Cluster:ServiceId).</summary>
    public string ServiceId { get; set; } = "alerts";

    /// <summary>Silo gateways as "host:port" (default: the embedded silo on this machine). Ignored when <see cref="MembershipConnectionString"/> is set.</summary>
    public List<string> Gateways { get; set; } = ["127.0.0.1:30000"];

    /// <summary>A PostgreSQL connection string: the client then finds the silos' gateways in the cluster's membership table.</summary>
    public string? MembershipConnectionString { get; set; }

    /// <summary>The client credential as "name:secret".</summary>
    public string Credential { get; set; } = "";

    /// <summary>How many times the first connection is tried, the first try included, before giving up (at least 1); the pauses between tries double from 0.5 s up to 30 s.</summary>
    public int ConnectAttempts { get; set; } = 5;
}
