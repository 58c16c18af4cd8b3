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
        try
        {
            if (!File.Exists(path)) SecretFile.Write(path, SecurityOptions.NewSigningKey(), overwrite: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder the silo cannot make or write (a path through a file, no permission): a refusal naming what chose
            // it, not a crash with a stack trace.
            throw new InvalidOperationException($"{path} cannot be written ({e.Message.ReplaceLineEndings(" ")}): the data folder {settings.DataFolder()} comes from {ClusterSettings.Section}:ConnectionString; make it writable by the silo, or give {settingKey} in the configuration instead", e);
        }

        // Whoever reads the signing key can make tokens for any name and role: a file others may read is made owner-only.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)) != 0)
        {
            try
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"{path} could be read by others and cannot be made owner-only ({e.Message}): chmod 600 it, or give {settingKey} in the configuration instead", e);
            }

            Console.Error.WriteLine($"{path} could be read by others; made owner-only (0600)");
        }

        var key = File.ReadAllText(path).Trim();
        if (key.Length == 0)
            throw new InvalidOperationException($"{path} is empty (a write cut short): restore it from a backup, or delete it to make a new key ({settingKey}; what was signed with the old one stops working)");
        configuration[settingKey] = key;
    }
}
