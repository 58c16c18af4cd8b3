using Alerts.Grains;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Alerts.Tests;

/// <summary>
/// A client whose token the silo refuses while the client's own clock says it is good (the silo's clock ahead, a key
/// rotated, its roles changed in settings) signs in again and makes the call once more, instead of failing every call
/// until the token's planned renewal.
/// </summary>
public sealed class RefusedTokenTests
{
    [Fact]
    public async Task A_call_whose_token_the_silo_refuses_is_made_again_after_a_new_sign_in()
    {
        // The silo checks tokens by a clock of its own, which the test moves past the held token's expiry.
        var siloClock = new MovableTime();
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), services: s => s.AddSingleton(sp =>
            new TokenIssuer(sp.GetRequiredService<IOptions<SecurityOptions>>(), sp.GetRequiredService<IOptions<ClusterOptions>>(), siloClock)));
        await using var client = await silo.ConnectClientAsync();
        var residency = client.GetGrain<IResidencyGrain>(0);
        Assert.Equal(0, (await residency.Report([])).Applied);

        siloClock.Advance(TimeSpan.FromMinutes(16));

        // Without the new sign-in: TokenRefusedException, "token expired", for 12 more minutes of the client's clock.
        Assert.Equal(0, (await residency.Report([])).Applied);
    }

    [Fact]
    public async Task A_call_refused_for_a_role_it_lacks_is_not_made_again_and_says_so()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await using var approver = await silo.ConnectApproverAsync();

        // The approver is an admin, not an operator: its token is good, so signing in again would change nothing.
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => approver.GetGrain<IClientCredentialsGrain>(0).List());

        Assert.Contains("needs operator", refused.Message);
    }
}
