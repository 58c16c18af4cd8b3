namespace Alerts.Silo;

/// <summary>How this silo runs, from "Alerts:Cluster": embedded on SQLite (the default) or one of a PostgreSQL cluster.</summary>
public sealed class ClusterSettings
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Alerts:Cluster";

    /// <summary>"sqlite": one silo, localhost clustering, everything in one file. "postgres": a cluster through the ADO.NET providers.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The SQLite file (relative paths are relative to the silo's content root) or the PostgreSQL connection string.</summary>
    public string ConnectionString { get; set; } = "Data Source=./data/alerts.db";

    /// <summary>Silos and clients with the same cluster id form one cluster.</summary>
    public string ClusterId { get; set; } = "alerts";

    /// <summary>Stays the same across deployments: grain state and reminders are keyed by it.</summary>
    public string ServiceId { get; set; } = "alerts";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this silo at (cluster mode; default 127.0.0.1, for a cluster on one machine).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface instead of the advertised address only (silos on several machines of a private network).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>Connections the product's own tables may hold per silo (PostgreSQL), unless the connection string says "Maximum Pool Size".</summary>
    public int MaxPoolSize { get; set; } = 10;

    /// <summary>
    /// Connections Orleans' providers (membership, grain state, reminders: one pool) may hold per silo.
    /// A burst of activations waits for one of them instead of exhausting the server's max_connections:
    /// keep silos × (MaxPoolSize + OrleansPoolSize) below it.
    /// </summary>
    public int OrleansPoolSize { get; set; } = 10;

    /// <summary>The longest <see cref="ConnectionWait"/>: Npgsql's connection Timeout is at most 1024 s.</summary>
    public static readonly TimeSpan MaxConnectionWait = TimeSpan.FromSeconds(1024);

    /// <summary>How long an activation may wait for a pooled connection before its call fails.</summary>
    public TimeSpan ConnectionWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Serve the Orleans Dashboard at /dashboard on the silo's HTTP port (on by default embedded, off in a cluster unless set).</summary>
    public bool? Dashboard { get; set; }

    /// <summary>The connection string Orleans' ADO.NET providers use: bounded pool, patient wait for a connection.</summary>
    public string OrleansConnectionString() => Alerts.Grains.PostgresPool.Bounded(ConnectionString, OrleansPoolSize, ConnectionWait);

    /// <summary>Embedded: the SQLite database's folder, where the silo keeps signing.key and operator.credential.</summary>
    public string DataFolder()
    {
        var database = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString).DataSource;
        return Path.GetDirectoryName(database) is { Length: > 0 } folder ? folder : ".";
    }

    /// <summary>True for the single-silo SQLite mode.</summary>
    public bool IsEmbedded => Provider.Trim().Equals("sqlite", StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws naming the first bad setting.</summary>
    public void Validate()
    {
        var provider = Provider.Trim().ToLowerInvariant();
        if (provider is not ("sqlite" or "postgres" or "postgresql"))
            throw new InvalidOperationException($"{Section}:Provider \"{Provider}\" is not supported: use \"sqlite\" (embedded) or \"postgres\" (cluster).");
        if (string.IsNullOrWhiteSpace(ConnectionString)) throw new InvalidOperationException($"{Section}:ConnectionString is empty.");
        if (!IsEmbedded)
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException e)
            {
                // The SQLite default left in place when only the provider was set is the usual cause.
                throw new InvalidOperationException($"{Section}:ConnectionString is not a PostgreSQL connection string ({e.Message}): give one for the postgres provider, e.g. Host=db;Database=alerts;Username=alerts;Password=…");
            }
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId)) throw new InvalidOperationException($"{Section}:ClusterId and ServiceId must not be empty.");
        if (SiloPort is < 1 or > 65535) throw new InvalidOperationException($"{Section}:SiloPort {SiloPort} is not a port (1-65535).");
        if (GatewayPort is < 1 or > 65535 || GatewayPort == SiloPort) throw new InvalidOperationException($"{Section}:GatewayPort {GatewayPort} must be a port (1-65535) other than SiloPort.");
        if (!System.Net.IPAddress.TryParse(AdvertisedAddress, out var advertised)) throw new InvalidOperationException($"{Section}:AdvertisedAddress \"{AdvertisedAddress}\" is not an IP address.");
        // Listening everywhere is for silos on several machines, which reach each other (and clients reach them) at the
        // advertised address: every silo advertising loopback would be told apart by nothing but its port.
        if (ListenOnAnyAddress && System.Net.IPAddress.IsLoopback(advertised))
            throw new InvalidOperationException($"{Section}:AdvertisedAddress {AdvertisedAddress} is a loopback address but {Section}:ListenOnAnyAddress is true: give the address other machines reach this silo at.");
        if (MaxPoolSize < 1 || OrleansPoolSize < 1) throw new InvalidOperationException($"{Section}:MaxPoolSize and OrleansPoolSize must be positive.");
        // Npgsql's Timeout takes at most 1024 s: a longer wait threw from inside the host's building, a crash instead of a refusal.
        if (ConnectionWait < TimeSpan.FromSeconds(1) || ConnectionWait > MaxConnectionWait)
            throw new InvalidOperationException($"{Section}:ConnectionWait {ConnectionWait} is invalid: must be within [00:00:01, {MaxConnectionWait}] (PostgreSQL's client waits at most 1024 s).");
    }
}
