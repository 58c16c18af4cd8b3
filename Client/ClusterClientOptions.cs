namespace Alerts.Client;

/// <summary>How a remote client reaches the silo.</summary>
public sealed class ClusterClientOptions
{
    /// <summary>The silo's grain endpoint, e.g. ws://127.0.0.1:5080/grains.</summary>
    public Uri Endpoint { get; set; } = new("ws://127.0.0.1:5080/grains");

    /// <summary>"name:secret", as configured on the silo (which keeps only a hash of the secret).</summary>
    public string Credential { get; set; } = "";

    /// <summary>A call with no answer by then fails with GrainCallTimeoutException.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First wait before reconnecting; doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest message sent or accepted; keep it equal to the silo's.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;
}
