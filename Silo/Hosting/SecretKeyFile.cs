using Alerts.Grains;

namespace Alerts.Silo;

/// <summary>
/// A key setting every silo of a cluster must share (base64 of 32 random bytes). A cluster takes it from configuration;
/// the embedded silo, so that it starts with nothing configured, makes one on first start and keeps it beside its
/// database, readable by its owner only.
/// </summary>
public static class SecretKeyFile
{
    /// <summary>Leaves a configured key alone; embedded, loads or creates <paramref name="fileName"/> in the data folder; in a cluster, a missing key is an error.</summary>
    public static void EnsureConfigured(IConfiguration configuration, ClusterSettings settings, string settingKey, string fileName)
    {
        if (!string.IsNullOrWhiteSpace(configuration[settingKey])) return;
        if (!settings.IsEmbedded)
            throw new InvalidOperationException($"{settingKey} is not set: every silo of a cluster needs the same key. Make one with `{SecurityOptions.NewSigningKeyCommand}`.");
        var path = Path.Combine(settings.DataFolder(), fileName);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, SecurityOptions.NewSigningKey());
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        configuration[settingKey] = File.ReadAllText(path).Trim();
    }
}
