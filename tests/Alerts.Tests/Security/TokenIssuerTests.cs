using Alerts.Grains;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Alerts.Tests;

/// <summary>The issuer alone, with a clock the test moves: expiry, the validation cache, and what a check reports.</summary>
public sealed class TokenIssuerTests
{
    private static readonly string Key = SecurityOptions.NewSigningKey();

    [Fact]
    public async Task A_token_checks_with_its_name_and_roles()
    {
        var issuer = Issuer(new MovableTime());
        var check = await issuer.Check(issuer.Issue("ops", [Roles.Admin, Roles.Gateway]).Token);
        Assert.True(check.IsValid);
        Assert.Equal("ops", check.Name);
        Assert.Equal([Roles.Admin, Roles.Gateway], check.Roles);
    }

    [Fact]
    public async Task A_remembered_token_still_expires_when_the_clock_passes_its_expiry()
    {
        var time = new MovableTime();
        var issuer = Issuer(time);
        var token = issuer.Issue("ops", [Roles.Admin]).Token;
        Assert.True((await issuer.Check(token)).IsValid);

        time.Advance(TimeSpan.FromMinutes(14));
        Assert.True((await issuer.Check(token)).IsValid);
        time.Advance(TimeSpan.FromMinutes(2)); // 16 min: past 15 min + 30 s skew
        Assert.Equal("token expired", (await issuer.Check(token)).Failure);
    }

    [Fact]
    public async Task A_token_seen_for_the_first_time_after_its_expiry_is_refused()
    {
        var time = new MovableTime();
        var token = Issuer(time).Issue("ops", [Roles.Admin]).Token;
        time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal("token expired", (await Issuer(time).Check(token)).Failure);
    }

    [Fact]
    public async Task A_token_lives_no_longer_than_the_lifetime_configured_now()
    {
        // Issued while TokenLifetime was a day; the operator shortened it (a leaked token, say) and restarted the silos.
        var time = new MovableTime();
        var token = Issuer(time, TimeSpan.FromDays(1)).Issue("ops", [Roles.Admin]).Token;
        var shortened = Issuer(time);
        Assert.True((await shortened.Check(token)).IsValid);
        time.Advance(TimeSpan.FromMinutes(16)); // past 15 min + 30 s skew, though the token says a day
        Assert.Equal("token expired", (await shortened.Check(token)).Failure);
    }

    [Fact]
    public async Task The_expiry_reported_is_the_one_in_the_token()
    {
        var time = new MovableTime();
        var issuer = Issuer(time);
        var issued = issuer.Issue("ops", [Roles.Admin]);
        Assert.Equal(issued.ExpiresAt, (await Issuer(time).Check(issued.Token)).ExpiresAt);
    }

    [Fact]
    public async Task A_missing_token_is_named_as_such()
    {
        Assert.Equal("no access token", (await Issuer(new MovableTime()).Check(null)).Failure);
    }

    private static TokenIssuer Issuer(TimeProvider time, TimeSpan? lifetime = null) => new(
        Options.Create(new SecurityOptions { SigningKey = Key, TokenLifetime = lifetime ?? TimeSpan.FromMinutes(15) }),
        Options.Create(new ClusterOptions { ServiceId = "svc", ClusterId = "c1" }),
        time);
}
