using System.Text;
using System.Text.Json.Nodes;
using Alerts.GrainInterfaces;
using Orleans;
using Orleans.Runtime;

namespace Alerts.Tests;

/// <summary>Client calls through a real silo: tokens, roles, [SiloOnly], closed-by-default interfaces and readable storage errors.</summary>
public sealed class CallAuthorizationTests(SecurityCluster fixture) : IClassFixture<SecurityCluster>
{
    private ITestAdminGrain Admin => fixture.RawClient.GetGrain<ITestAdminGrain>("a");

    [Fact]
    public async Task A_call_without_a_token_is_refused()
    {
        var refused = await Assert.ThrowsAsync<TokenRefusedException>(() => Admin.AdminOnly());
        Assert.Equal("alerts-test.admin.AdminOnly: no access token", refused.Message);
    }

    [Fact]
    public async Task A_token_with_the_right_role_passes()
    {
        RequestContext.Set(AccessTokenHeader.Key, await Token(SecurityCluster.AdminName, SecurityCluster.AdminSecret));
        Assert.Equal("admin ok", await Admin.AdminOnly());
        Assert.Equal("shared ok", await Admin.Shared());
    }

    [Fact]
    public async Task The_checked_caller_reaches_the_grain_and_the_grains_it_calls_but_the_token_stops_at_the_filter()
    {
        RequestContext.Set(AccessTokenHeader.Key, await Token(SecurityCluster.GatewayName, SecurityCluster.GatewaySecret));
        Assert.Equal($"token no, {SecurityCluster.GatewayName} gateway / token no, {SecurityCluster.GatewayName} gateway", await Admin.CallerAsSeen());
    }

    [Fact]
    public async Task A_wrong_role_is_refused_naming_the_role_needed_and_a_method_rule_wins()
    {
        RequestContext.Set(AccessTokenHeader.Key, await Token(SecurityCluster.GatewayName, SecurityCluster.GatewaySecret));
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => Admin.AdminOnly());
        Assert.Equal("role gateway may not call alerts-test.admin.AdminOnly; needs admin", refused.Message);
        Assert.Equal("shared ok", await Admin.Shared());
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var past = new MovableTime();
        past.Advance(TimeSpan.FromHours(-1));
        RequestContext.Set(AccessTokenHeader.Key, fixture.Issuer(past).Issue(SecurityCluster.AdminName, [Roles.Admin]).Token);
        var refused = await Assert.ThrowsAsync<TokenRefusedException>(() => Admin.Shared());
        Assert.Equal("alerts-test.admin.Shared: token expired", refused.Message);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var forger = fixture.Issuer(TimeProvider.System, signingKey: Alerts.Grains.SecurityOptions.NewSigningKey());
        RequestContext.Set(AccessTokenHeader.Key, forger.Issue("mallory", [Roles.Admin]).Token);
        var refused = await Assert.ThrowsAsync<TokenRefusedException>(() => Admin.AdminOnly());
        Assert.Equal("alerts-test.admin.AdminOnly: token signature invalid", refused.Message);
    }

    [Fact]
    public async Task A_token_whose_payload_was_altered_is_refused()
    {
        var token = (await SignIn(SecurityCluster.GatewayName, SecurityCluster.GatewaySecret)).Token;
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlDecode(parts[1]))!;
        payload["roles"] = new JsonArray(Roles.Admin);
        RequestContext.Set(AccessTokenHeader.Key, $"{parts[0]}.{Base64UrlEncode(payload.ToJsonString())}.{parts[2]}");

        var refused = await Assert.ThrowsAsync<TokenRefusedException>(() => Admin.AdminOnly());
        Assert.Equal("alerts-test.admin.AdminOnly: token signature invalid", refused.Message);
    }

    [Fact]
    public async Task A_token_from_another_cluster_is_refused()
    {
        var other = fixture.Issuer(TimeProvider.System, serviceId: "other-service", clusterId: "other-cluster");
        RequestContext.Set(AccessTokenHeader.Key, other.Issue(SecurityCluster.AdminName, [Roles.Admin]).Token);
        var refused = await Assert.ThrowsAsync<TokenRefusedException>(() => Admin.AdminOnly());
        Assert.Equal("alerts-test.admin.AdminOnly: token is for another cluster", refused.Message);
    }

    [Fact]
    public async Task A_garbage_token_is_refused()
    {
        RequestContext.Set(AccessTokenHeader.Key, "not-a-jwt");
        var refused = await Assert.ThrowsAsync<TokenRefusedException>(() => Admin.AdminOnly());
        Assert.Equal("alerts-test.admin.AdminOnly: token malformed", refused.Message);
    }

    [Fact]
    public async Task Sign_in_gives_the_configured_roles_and_an_expiry()
    {
        var token = await SignIn(SecurityCluster.AdminName, SecurityCluster.AdminSecret);
        Assert.Equal([Roles.Admin], token.Roles);
        Assert.InRange(token.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15.1));
    }

    [Fact]
    public async Task Sign_in_with_a_wrong_secret_or_an_unknown_name_is_refused_alike()
    {
        var wrongSecret = await Assert.ThrowsAsync<AccessDeniedException>(() => SignIn(SecurityCluster.AdminName, "guess"));
        var unknownName = await Assert.ThrowsAsync<AccessDeniedException>(() => SignIn("nobody", SecurityCluster.AdminSecret));
        Assert.Equal("unknown client name or wrong secret", wrongSecret.Message);
        Assert.Equal(wrongSecret.Message, unknownName.Message);
    }

    [Fact]
    public async Task Sign_in_with_an_empty_name_names_the_parameter()
    {
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => SignIn(" ", "x"));
        // ParamName does not cross the wire; the message carries it.
        Assert.Contains("(Parameter 'name')", error.Message);
    }

    [Fact]
    public async Task A_silo_only_interface_refuses_clients_but_serves_grains()
    {
        RequestContext.Set(AccessTokenHeader.Key, await Token(SecurityCluster.AdminName, SecurityCluster.AdminSecret));
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.RawClient.GetGrain<ITestSiloOnlyGrain>("s").Ping());
        Assert.Equal("alerts-test.silo-only.Ping: only grains may call this interface", refused.Message);
        Assert.Equal("pong", await fixture.RawClient.GetGrain<ITestAdminGrain>("s").CallSiloOnly());
    }

    [Fact]
    public async Task An_interface_without_a_rule_is_closed_to_clients()
    {
        RequestContext.Set(AccessTokenHeader.Key, await Token(SecurityCluster.AdminName, SecurityCluster.AdminSecret));
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.RawClient.GetGrain<ITestUnruledGrain>("u").Ping());
        Assert.Equal("alerts-test.unruled.Ping: no access rule for this interface", refused.Message);
    }

    [Fact]
    public async Task A_storage_failure_reaches_the_client_readably()
    {
        RequestContext.Set(AccessTokenHeader.Key, await Token(SecurityCluster.AdminName, SecurityCluster.AdminSecret));
        var failed = await Assert.ThrowsAsync<StorageUnavailableException>(() => Admin.FailStorage());
        Assert.Equal("storage failed: relation \"cases\" does not exist", failed.Message);
    }

    [Fact]
    public async Task A_client_with_a_credential_signs_in_and_attaches_its_token_by_itself()
    {
        var admin = await fixture.StartClient($"{SecurityCluster.AdminName}:{SecurityCluster.AdminSecret}");
        var gateway = await fixture.StartClient($"{SecurityCluster.GatewayName}:{SecurityCluster.GatewaySecret}");

        Assert.Equal("admin ok", await admin.GetGrain<ITestAdminGrain>("c").AdminOnly());
        Assert.Equal("shared ok", await gateway.GetGrain<ITestAdminGrain>("c").Shared());
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => gateway.GetGrain<ITestAdminGrain>("c").AdminOnly());
        Assert.Equal("role gateway may not call alerts-test.admin.AdminOnly; needs admin", refused.Message);
    }

    private Task<AccessToken> SignIn(string name, string secret) => fixture.RawClient.GetGrain<ISignInGrain>(0).SignIn(name, secret);

    // Returns the token rather than setting it: a request-context value set inside an async helper does not flow back to the caller.
    private async Task<string> Token(string name, string secret) => (await SignIn(name, secret)).Token;

    private static string Base64UrlDecode(string text) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + (4 - text.Length % 4) % 4, '=')));

    private static string Base64UrlEncode(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
