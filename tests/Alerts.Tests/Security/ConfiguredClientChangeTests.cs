using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// A configured client is revoked, demoted or given a new secret by changing settings and restarting the silos: tokens it
/// was issued before the change are refused from then on, as a revoked stored credential's are.
/// </summary>
public sealed class ConfiguredClientChangeTests
{
    // "ops2" is configured as an operator with ProcessSettings.Secret before the change.
    private static Dictionary<string, string?> Settings(string clusterId, string? roles, string? secretHash = null)
    {
        var settings = new Dictionary<string, string?> { ["Alerts:Cluster:ClusterId"] = clusterId };
        if (roles is null) return settings;
        settings["Alerts:Security:Clients:2:Name"] = "ops2";
        settings["Alerts:Security:Clients:2:SecretHash"] = secretHash ?? ProcessSettings.TesterHash;
        settings["Alerts:Security:Clients:2:Roles:0"] = roles;
        return settings;
    }

    [Theory]
    [InlineData("removed")]
    [InlineData("demoted")]
    [InlineData("new secret")]
    public async Task A_token_issued_before_the_client_changed_in_settings_is_refused_after_the_restart(string change)
    {
        var store = StorageKind.Fresh("sqlite");
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        string token, unchanged;
        await using (var before = await AlertsSilo.StartAsync(store, settings: Settings(clusterId, Roles.Operator)))
        {
            token = (await before.Grains.GetGrain<ISignInGrain>(0).SignIn("ops2", ProcessSettings.Secret)).Token;
            unchanged = (await before.Grains.GetGrain<ISignInGrain>(0).SignIn("tester", ProcessSettings.Secret)).Token;
        }

        var after = change switch
        {
            "removed" => Settings(clusterId, null),
            "demoted" => Settings(clusterId, Roles.Gateway),
            _ => Settings(clusterId, Roles.Operator, Alerts.Grains.CredentialHash.Create("n3w-s3cret-of-the-tests")),
        };
        await using var silo = await AlertsSilo.StartAsync(store, settings: after);
        await using var client = await TokenClient.ConnectAsync(silo);

        var refused = await Assert.ThrowsAsync<TokenRefusedException>(() => client.WithTokenAsync(token, c => c.GetGrain<IClientCredentialsGrain>(0).List()));
        Assert.Contains("credential ops2", refused.Message);
        // A client whose settings did not change keeps its token across the restart.
        Assert.Equal(0, (await client.WithTokenAsync(unchanged, c => c.GetGrain<IResidencyGrain>(0).Report([]))).Applied);
    }
}
