using Alerts.Grains;

namespace Alerts.Silo;

/// <summary>The share-token key (<c>Alerts:Engagement:ShareKey</c>): from configuration in a cluster, else the embedded silo's <c>share.key</c> beside its database.</summary>
public static class ShareKeyFile
{
    /// <summary>Leaves a configured key alone; embedded, loads or creates the key file; in a cluster, a missing key is an error.</summary>
    public static void EnsureConfigured(IConfiguration configuration, ClusterSettings settings) =>
        SecretKeyFile.EnsureConfigured(configuration, settings, EngagementOptions.ShareKeySetting, "share.key");
}
