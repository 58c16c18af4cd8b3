using Alerts.Grains;
using Alerts.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Alerts.Tests;

/// <summary>Share tokens on their own: what they carry, that every changed byte is caught, and the key settings a silo starts with.</summary>
public sealed class ShareTokenTests
{
    private static readonly DateTimeOffset Now = AlertsSilo.Epoch;
    private readonly ShareTokens _tokens = new(Options.Create(new EngagementOptions { ShareKey = AlertsSilo.ShareKey }));

    [Fact]
    public void A_token_carries_case_sharer_generation_and_time()
    {
        var grant = new ShareGrant("case-1", 42, 3, Now);
        var token = _tokens.Issue(grant);
        Assert.Equal((grant, (string?)null), _tokens.Check(token, "case-1", Now));
        Assert.DoesNotContain('+', token);
        Assert.DoesNotContain('/', token);
    }

    [Fact]
    public void Whoever_a_link_reaches_cannot_read_who_shared_it_or_for_which_case()
    {
        var sharer = 0x0123_4567_89AB_CDEFL;
        var token = System.Buffers.Text.Base64Url.DecodeFromChars(_tokens.Issue(new ShareGrant("case-sealed", sharer, 1, Now)));
        var sharerBytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(sharerBytes, sharer);
        Assert.Equal(-1, token.AsSpan().IndexOf(sharerBytes));
        Assert.Equal(-1, token.AsSpan().IndexOf("case-sealed"u8));
        Assert.Equal(-1, token.AsSpan().IndexOf(sharerBytes.AsSpan(4)));
    }

    [Fact]
    public void A_signed_token_of_the_first_version_is_still_checked_and_a_forged_one_refused()
    {
        // As builds before the sealed tokens issued them: base64url(1, generation, sharer, time, case).base64url(HMAC).
        var payload = new byte[1 + 4 + 8 + 8 + 1];
        payload[0] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(1), 2);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(5), 42);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(13), Now.ToUnixTimeMilliseconds());
        payload[21] = (byte)'c';
        string Signed(byte[] key) => $"{System.Buffers.Text.Base64Url.EncodeToString(payload)}.{System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.HMACSHA256.HashData(key, payload))}";

        Assert.Equal((new ShareGrant("c", 42, 2, Now), (string?)null), _tokens.Check(Signed(Convert.FromBase64String(AlertsSilo.ShareKey)), "c", Now));
        Assert.Equal("has a bad signature (forged or tampered)", _tokens.Check(Signed(new byte[32]), "c", Now).Failure);
    }

    [Fact]
    public void Every_changed_character_is_refused()
    {
        var token = _tokens.Issue(new ShareGrant("case-1", 42, 1, Now));
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '.') continue;
            var changed = token[..i] + alphabet[(alphabet.IndexOf(token[i], StringComparison.Ordinal) + 1) % alphabet.Length] + token[(i + 1)..];
            var (grant, failure) = _tokens.Check(changed, "case-1", Now);
            // A last character's unused bits may decode to the same bytes; anything else must fail.
            if (grant is not null) Assert.Equal((new ShareGrant("case-1", 42, 1, Now), true), (grant, i == token.IndexOf('.', StringComparison.Ordinal) - 1 || i == token.Length - 1));
            else Assert.NotNull(failure);
        }
    }

    [Fact]
    public void A_token_from_the_future_or_of_impossible_contents_is_refused()
    {
        Assert.Contains("impossible", _tokens.Check(_tokens.Issue(new ShareGrant("c", 42, 1, Now.AddMinutes(1))), "c", Now).Failure);
        Assert.Contains("impossible", _tokens.Check(_tokens.Issue(new ShareGrant("c", 42, 0, Now)), "c", Now).Failure);
        Assert.Contains("at most 512", _tokens.Check(new string('a', 513), "c", Now).Failure);
    }

    [Fact]
    public void A_token_older_than_share_links_last_has_expired_naming_when_it_was_issued()
    {
        var earliest = Now - new EngagementOptions().ShareLinkLifetime;
        var lastValid = new ShareGrant("c", 42, 1, earliest);
        Assert.Equal((lastValid, (string?)null), _tokens.Check(_tokens.Issue(lastValid), "c", Now, earliest));

        var (grant, failure) = _tokens.Check(_tokens.Issue(lastValid with { IssuedAt = earliest.AddMilliseconds(-1) }), "c", Now, earliest);
        Assert.Null(grant);
        Assert.Equal(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"has expired: issued {earliest.AddMilliseconds(-1):yyyy-MM-dd HH:mm} UTC, and share links last 30.00:00:00 (Alerts:Engagement:ShareLinkLifetime)"), failure);
    }

    [Fact]
    public void A_share_link_lifetime_that_is_not_positive_is_named()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new EngagementOptions { ShareKey = AlertsSilo.ShareKey, ShareLinkLifetime = TimeSpan.Zero }.Validate());
        Assert.Equal("Alerts:Engagement:ShareLinkLifetime is 00:00:00; must be positive.", error.Message);
    }

    [Theory]
    // A bare number is days: "MaxClockSkew: 5" meant minutes would take events 5 days ahead and tokens issued then.
    [InlineData("MaxClockSkew", "5", "Alerts:Engagement:MaxClockSkew 5.00:00:00 is invalid: must be from 0 to 01:00:00")]
    // Past what a date can hold, every report (or every one with a share token) failed with an ArgumentOutOfRangeException naming nothing.
    [InlineData("MaxEventAge", "10675199.02:48:05", "Alerts:Engagement:MaxEventAge 10675199.02:48:05 is invalid: must be more than 0 to 30.00:00:00")]
    [InlineData("ShareLinkLifetime", "10675199.02:48:05", "Alerts:Engagement:ShareLinkLifetime 10675199.02:48:05 is invalid: must be more than 0 to 3650.00:00:00")]
    public async Task A_time_setting_out_of_its_range_is_named_and_the_silo_does_not_start(string setting, string value, string message)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AlertsSilo.StartAsync(TestSupport.StorageKind.Fresh("sqlite"), settings: new() { [$"Alerts:Engagement:{setting}"] = value }));
        Assert.Contains(message, error.Message);
        Assert.Contains("(write a time as hh:mm:ss, or d.hh:mm:ss; a bare number is read as days)", error.Message);
    }

    [Theory]
    [InlineData(null, "Alerts:Engagement:ShareKey is not set")]
    [InlineData("not base64!", "Alerts:Engagement:ShareKey is not base64")]
    [InlineData("AAAA", "Alerts:Engagement:ShareKey has 3 bytes, needs at least 32")]
    [InlineData("Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZSAxMjM0", "Alerts:Engagement:ShareKey is text run through base64")]
    [InlineData("AAECAwQFBgcAAQIDBAUGBwABAgMEBQYHAAECAwQFBgc=", "Alerts:Engagement:ShareKey has 32 bytes of only 8 different values")]
    public void A_bad_share_key_is_named(string? key, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new EngagementOptions { ShareKey = key }.Validate());
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public async Task A_silo_with_a_short_share_key_refuses_to_start_naming_it()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AlertsSilo.StartAsync(TestSupport.StorageKind.Fresh("sqlite"), settings: new() { ["Alerts:Engagement:ShareKey"] = "AAAA" }));
        Assert.Contains("Alerts:Engagement:ShareKey has 3 bytes", error.Message);
    }

    [Fact]
    public void A_cluster_needs_the_share_key_configured_and_the_embedded_silo_keeps_its_own()
    {
        var cluster = new ClusterSettings { Provider = "postgres", ConnectionString = "Host=x" };
        var error = Assert.Throws<InvalidOperationException>(() => ShareKeyFile.EnsureConfigured(new ConfigurationBuilder().Build(), cluster));
        Assert.StartsWith("Alerts:Engagement:ShareKey is not set: every silo of a cluster needs the same key", error.Message);

        var folder = TestSupport.ScratchFolder.NewFile("");
        var embedded = SiloHosting.ReadSettings(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alerts:Cluster:ConnectionString"] = $"Data Source={Path.Combine(folder, "data", "alerts.db")}",
        }).Build(), folder);
        var first = new ConfigurationBuilder().AddInMemoryCollection().Build();
        ShareKeyFile.EnsureConfigured(first, embedded);
        var second = new ConfigurationBuilder().AddInMemoryCollection().Build();
        ShareKeyFile.EnsureConfigured(second, embedded);
        Assert.Equal(first[EngagementOptions.ShareKeySetting], second[EngagementOptions.ShareKeySetting]);
        new EngagementOptions { ShareKey = first[EngagementOptions.ShareKeySetting] }.Validate();
        Assert.True(File.Exists(Path.Combine(folder, "data", "share.key")));
    }
}
