using Alerts.GrainInterfaces;
using Alerts.Silo;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>The embedded silo's operator.credential (operator and admin): one its group or others could read is replaced at start.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; the product runs on Linux
public sealed class OperatorCredentialFileTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task A_credential_file_others_could_read_is_made_again_owner_only_and_its_old_secret_stops_signing_in()
    {
        // A folder of its own: the file sits beside the database, and other tests' silos keep theirs beside their own.
        var folder = ScratchFolder.NewFolder();
        var store = new TestStore("sqlite", $"Data Source={Path.Combine(folder, "alerts.db")}");
        var path = Path.Combine(folder, OperatorCredentialFile.FileName);
        await using (await AlertsSilo.StartAsync(store))
        {
        }

        var exposed = File.ReadAllText(path).Trim();
        File.SetUnixFileMode(path, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var silo = await AlertsSilo.StartAsync(store);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        var renewed = File.ReadAllText(path).Trim();
        Assert.NotEqual(exposed, renewed);
        var signIn = silo.Grains.GetGrain<ISignInGrain>(0);
        await Assert.ThrowsAsync<AccessDeniedException>(() => signIn.SignIn(OperatorCredentialFile.OperatorName, exposed[(exposed.IndexOf(':') + 1)..]));
        Assert.Equal([Roles.Operator, Roles.Admin], (await signIn.SignIn(OperatorCredentialFile.OperatorName, renewed[(renewed.IndexOf(':') + 1)..])).Roles);
    }
}
