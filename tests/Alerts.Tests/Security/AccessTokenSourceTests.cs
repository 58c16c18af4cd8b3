using Alerts.Client;

namespace Alerts.Tests;

/// <summary>The client's token holder: one sign-in for many callers, and a new token at 80 % of the old one's life.</summary>
public sealed class AccessTokenSourceTests(SecurityCluster fixture) : IClassFixture<SecurityCluster>
{
    [Fact]
    public async Task Concurrent_callers_share_one_sign_in()
    {
        var source = AccessTokenSource.FromCredential(fixture.RawClient, $"{SecurityCluster.GatewayName}:{SecurityCluster.GatewaySecret}");
        var tokens = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => source.GetToken().AsTask()));
        Assert.Single(tokens.Distinct());
    }

    [Fact]
    public async Task The_token_is_kept_until_80_percent_of_its_life_then_renewed()
    {
        var time = new MovableTime();
        var source = new AccessTokenSource(fixture.RawClient, SecurityCluster.GatewayName, SecurityCluster.GatewaySecret, time);
        var first = await source.GetToken();

        time.Advance(TimeSpan.FromMinutes(11)); // < 80 % of 15 min
        Assert.Equal(first, await source.GetToken());
        time.Advance(TimeSpan.FromMinutes(2)); // 13 min > 12 min
        Assert.NotEqual(first, await source.GetToken());
    }

    [Theory]
    [InlineData("")]
    [InlineData("name-only")]
    [InlineData(":secret")]
    [InlineData("name:")]
    public void A_malformed_credential_is_refused_without_repeating_it(string credential)
    {
        var error = Assert.Throws<ArgumentException>(() => AccessTokenSource.ParseCredential(credential));
        Assert.Equal("credential", error.ParamName);
    }

    [Fact]
    public void A_secret_may_contain_colons()
    {
        Assert.Equal(("gw", "a:b:c"), AccessTokenSource.ParseCredential("gw:a:b:c"));
    }
}
