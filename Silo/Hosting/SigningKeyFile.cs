using Alerts.Grains;

namespace Alerts.Silo;

/// <summary>
/// The token signing key. A cluster takes it from configuration (every silo needs the same key); the
/// embedded silo, so that it starts with nothing configured, makes one on first start and keeps it
/// beside its database, readable by its owner only.
/// </summary>
public static class SigningKeyFile
{
    /// <summary>The configuration key of the signing key.</summary>
    public const string SettingKey = SecurityOptions.SectionName + ":SigningKey";

    /// <summary>Leaves a configured key alone; embedded, loads or creates the key file; in a cluster, a missing key is an error.</summary>
    public static void EnsureConfigured(IConfiguration configuration, ClusterSettings settings) =>
        SecretKeyFile.EnsureConfigured(configuration, settings, SettingKey, "signing.key");
}
