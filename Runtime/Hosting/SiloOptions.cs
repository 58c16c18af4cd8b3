namespace Alerts.Runtime;

/// <summary>Silo settings, bound from the "Alerts:Silo" configuration section.</summary>
public sealed class SiloOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Alerts:Silo";

    /// <summary>Where grain state, reminders and product tables live.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>An activation idle this long is deactivated (Orleans' default: 15 minutes).</summary>
    public TimeSpan ActivationIdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Above this many activations the least recently used idle ones are collected early.</summary>
    public int MaxActivations { get; set; } = 2_000_000;

    /// <summary>A call with no response by then fails with <see cref="GrainCallTimeoutException"/> (Orleans' default: 30 s).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often due reminders are looked for.</summary>
    public TimeSpan ReminderPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The shortest reminder period allowed (Orleans: 1 minute).</summary>
    public TimeSpan MinReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The WebSocket endpoint for remote grain clients.</summary>
    public GatewayOptions Gateway { get; set; } = new();
}

/// <summary>Storage provider choice.</summary>
public sealed class StorageOptions
{
    /// <summary>"sqlite" (embedded default) or "postgres".</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>ADO.NET connection string for the provider.</summary>
    public string ConnectionString { get; set; } = "Data Source=./data/alerts.db";
}

/// <summary>The remote client endpoint and who may connect.</summary>
public sealed class GatewayOptions
{
    /// <summary>URL path of the WebSocket endpoint.</summary>
    public string Path { get; set; } = "/grains";

    /// <summary>Largest accepted message; bigger ones get an error reply and the connection stays up.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Calls a connection may have in flight before it stops reading more.</summary>
    public int MaxConcurrentCallsPerConnection { get; set; } = 256;

    /// <summary>Known clients: name, PBKDF2 hash of the secret, roles.</summary>
    public List<ClientCredential> Clients { get; set; } = [];
}

/// <summary>One client allowed to connect: it presents "name:secret" as a bearer token.</summary>
public sealed class ClientCredential
{
    /// <summary>Client name (the part before the colon).</summary>
    public string Name { get; set; } = "";

    /// <summary>Hash of the secret from <see cref="CredentialHash.Create"/>; the secret itself is never stored.</summary>
    public string SecretHash { get; set; } = "";

    /// <summary>Roles granted, e.g. "gateway", "admin".</summary>
    public List<string> Roles { get; set; } = [];
}
