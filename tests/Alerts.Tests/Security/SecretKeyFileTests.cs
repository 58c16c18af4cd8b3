using Alerts.Silo;
using Alerts.TestSupport;
using Microsoft.Extensions.Configuration;

namespace Alerts.Tests;

/// <summary>The embedded silo's key files: made owner-only in an owner-only folder, kept, repaired, and an empty one named.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; the product runs on Linux
public sealed class SecretKeyFileTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // As the silo's configuration: one that the key is added to.
    private static IConfiguration Empty() => new ConfigurationBuilder().AddInMemoryCollection().Build();

    [Fact]
    public void A_new_key_is_owner_only_from_its_first_byte_and_kept_across_starts()
    {
        var data = Path.Combine(ScratchFolder.NewFolder(), "data");
        var settings = new ClusterSettings { ConnectionString = $"Data Source={Path.Combine(data, "alerts.db")}" };
        var first = Empty();
        SecretKeyFile.EnsureConfigured(first, settings, "Test:Key", "test.key");

        var path = Path.Combine(data, "test.key");
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        Assert.Equal(OwnerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        Assert.Equal(32, Convert.FromBase64String(first["Test:Key"]!).Length);
        Assert.Equal([path], Directory.GetFiles(data));

        var second = Empty();
        SecretKeyFile.EnsureConfigured(second, settings, "Test:Key", "test.key");
        Assert.Equal(first["Test:Key"], second["Test:Key"]);
    }

    [Fact]
    public void A_key_file_others_may_read_is_made_owner_only_and_an_empty_one_is_named()
    {
        var data = ScratchFolder.NewFolder();
        var settings = new ClusterSettings { ConnectionString = $"Data Source={Path.Combine(data, "alerts.db")}" };
        var path = Path.Combine(data, "test.key");
        File.WriteAllText(path, Alerts.Grains.SecurityOptions.NewSigningKey());
        File.SetUnixFileMode(path, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        SecretKeyFile.EnsureConfigured(Empty(), settings, "Test:Key", "test.key");
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));

        File.WriteAllText(path, "");
        var error = Assert.Throws<InvalidOperationException>(() => SecretKeyFile.EnsureConfigured(Empty(), settings, "Test:Key", "test.key"));
        Assert.StartsWith($"{path} is empty (a write cut short): restore it from a backup, or delete it to make a new key (Test:Key", error.Message);
    }
}
