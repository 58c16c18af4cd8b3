using System.Security.Cryptography;
using Alerts.Grains;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>Bad security settings stop a silo with a message naming the setting; old secret hashes stay valid.</summary>
public sealed class SecurityOptionsTests
{
    // Made outside .NET (Python hashlib.pbkdf2_hmac, 1000 iterations, salt 00..0f) in the format the old Runtime wrote.
    private const string ForeignHash = "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$Fi+hvdGQPZeW1eYPhGlGeTEO7lF8wNAWjH5HaGZuPUg=";

    [Fact]
    public void A_missing_signing_key_says_how_to_make_one()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new SecurityOptions().Validate());
        Assert.StartsWith("Alerts:Security:SigningKey is not set", error.Message);
        Assert.Contains("dotnet run --project Silo -- new-signing-key", error.Message);
    }

    [Theory]
    [InlineData("not base64!", "is not base64")]
    [InlineData("AAAA", "has 3 bytes, needs at least 32")]
    [InlineData("Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZSAxMjM0", "is text run through base64, not random bytes")]
    [InlineData("Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZSAxMjM0Cg==", "is text run through base64, not random bytes")]
    [InlineData("AAECAwQFBgcAAQIDBAUGBwABAgMEBQYHAAECAwQFBgc=", "has 32 bytes of only 8 different values, not random bytes")]
    public void A_bad_signing_key_is_named(string key, string problem)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new SecurityOptions { SigningKey = key }.Validate());
        Assert.StartsWith($"Alerts:Security:SigningKey {problem}", error.Message);
    }

    [Fact]
    public void Keys_made_by_the_command_pass_the_randomness_checks()
    {
        // Random 32-byte keys are refused as text or as a pattern less than once in 10^13: ten thousand of them all pass.
        for (var i = 0; i < 10_000; i++)
        {
            var key = SecurityOptions.NewSigningKey();
            Assert.Null(KeySetting.Problem(key, 32, "Alerts__Security__SigningKey"));
        }
    }

    [Fact]
    public void A_bad_client_setting_is_named_with_its_index()
    {
        var options = Valid();
        options.Clients.Add(new ClientCredential { Name = "ops", SecretHash = ForeignHash, Roles = ["root"] });
        var error = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Equal("Alerts:Security:Clients:1:Roles contains 'root', not one of gateway, liaison, approver, viewer, admin, operator.", error.Message);

        options.Clients[1] = new ClientCredential { Name = "ops2", SecretHash = "plain-secret", Roles = [Roles.Admin] };
        Assert.StartsWith("Alerts:Security:Clients:1:SecretHash is not", Assert.Throws<InvalidOperationException>(options.Validate).Message);
    }

    [Fact]
    public void A_client_name_with_the_gateway_instance_separator_is_refused()
    {
        // "gw" owns the push-hub names "gw/…": a credential "gw/x" would have its gateway's name taken by "gw".
        var options = Valid();
        options.Clients.Add(new ClientCredential { Name = "gw/x", SecretHash = ForeignHash, Roles = [Roles.Gateway] });
        Assert.StartsWith("Alerts:Security:Clients:1:Name 'gw/x' contains '/'", Assert.Throws<InvalidOperationException>(options.Validate).Message);
    }

    [Fact]
    public void A_configured_client_named_as_the_system_in_the_audit_log_is_refused()
    {
        var options = Valid();
        options.Clients.Add(new ClientCredential { Name = "Silo", SecretHash = ForeignHash, Roles = [Roles.Approver] });
        Assert.Equal("Alerts:Security:Clients:1:Name 'Silo' is reserved: the audit log names the system itself so.", Assert.Throws<InvalidOperationException>(options.Validate).Message);
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("99999999999")]
    [InlineData("1000001")]
    public void A_hash_of_too_many_rounds_is_refused_at_start_naming_the_setting(string rounds)
    {
        // Every sign-in runs a hash's rounds: 2^31 of them (a typo) would cost each sign-in some ten minutes of a core.
        var options = Valid();
        options.Clients.Add(new ClientCredential { Name = "ops", SecretHash = ForeignHash.Replace("$1000$", $"${rounds}$", StringComparison.Ordinal), Roles = [Roles.Operator] });
        var message = Assert.Throws<InvalidOperationException>(options.Validate).Message;
        Assert.StartsWith($"Alerts:Security:Clients:1:SecretHash has {rounds} rounds: at most 1000000", message);
    }

    [Fact]
    public void A_hash_of_the_most_rounds_allowed_passes_and_one_of_more_never_verifies()
    {
        var options = Valid();
        options.Clients.Add(new ClientCredential { Name = "ops", SecretHash = ForeignHash.Replace("$1000$", "$1000000$", StringComparison.Ordinal), Roles = [Roles.Operator] });
        options.Validate();

        // A row of the credentials table is not checked at start: sign-in does not run its rounds either.
        var salt = new byte[16];
        var hash = Rfc2898DeriveBytes.Pbkdf2("one-more-round-than-allowed", salt, CredentialHash.MaxIterations + 1, HashAlgorithmName.SHA256, 32);
        var stored = $"pbkdf2-sha256${CredentialHash.MaxIterations + 1}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
        Assert.False(CredentialHash.IsWellFormed(stored));
        Assert.False(CredentialHash.Verify("one-more-round-than-allowed", stored));
    }

    [Fact]
    public void A_zero_token_lifetime_is_named()
    {
        var options = Valid();
        options.TokenLifetime = TimeSpan.Zero;
        Assert.StartsWith("Alerts:Security:TokenLifetime is 00:00:00", Assert.Throws<InvalidOperationException>(options.Validate).Message);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:16:00")] // longer than the 15-minute token lifetime: a revoked token would outlive its refresh
    public void A_revocation_refresh_out_of_range_is_named(string refresh)
    {
        var options = Valid();
        options.RevocationRefresh = TimeSpan.Parse(refresh, System.Globalization.CultureInfo.InvariantCulture);
        var message = Assert.Throws<InvalidOperationException>(options.Validate).Message;
        Assert.StartsWith($"Alerts:Security:RevocationRefresh is {refresh}", message);
        Assert.Contains("at most TokenLifetime", message);
    }

    [Theory]
    [InlineData(0, 32, "MaxConcurrentSignIns is 0")]
    [InlineData(int.MaxValue, 32, "MaxConcurrentSignIns is 2147483647")]
    [InlineData(1, -1, "MaxWaitingSignIns is -1")]
    public void A_sign_in_limit_out_of_range_is_named(int concurrent, int waiting, string problem)
    {
        var options = Valid();
        options.MaxConcurrentSignIns = concurrent;
        options.MaxWaitingSignIns = waiting;
        Assert.StartsWith($"Alerts:Security:{problem}", Assert.Throws<InvalidOperationException>(options.Validate).Message);
    }

    [Fact]
    public void Hashes_in_the_existing_format_still_verify()
    {
        Assert.True(CredentialHash.IsWellFormed(ForeignHash));
        Assert.True(CredentialHash.Verify("gateway-secret", ForeignHash));
        Assert.False(CredentialHash.Verify("gateway-secreT", ForeignHash));
        var made = CredentialHash.Create("s3cret-s3cret-s3cret");
        Assert.StartsWith("pbkdf2-sha256$100000$", made);
        Assert.True(CredentialHash.Verify("s3cret-s3cret-s3cret", made));
    }

    [Fact]
    public void A_short_secret_gets_no_new_hash_but_an_old_hash_of_one_still_verifies()
    {
        // No credential is made with a guessable secret (hash-secret, stored credentials, the operator's file) ...
        var refused = Assert.Throws<ArgumentException>(() => CredentialHash.Create("s3cret"));
        Assert.StartsWith("the secret has 6 characters, too few: it must have at least 16", refused.Message);
        Assert.Equal("secret", refused.ParamName);
        Assert.DoesNotContain("s3cret", refused.Message);
        Assert.StartsWith("pbkdf2-sha256$", CredentialHash.Create("sixteen-chars-ok"));
        // ... while one configured before (a 14-character secret) still signs in.
        Assert.True(CredentialHash.Verify("gateway-secret", ForeignHash));
    }

    private static SecurityOptions Valid() => new()
    {
        SigningKey = SecurityOptions.NewSigningKey(),
        Clients = [new ClientCredential { Name = "gw", SecretHash = ForeignHash, Roles = [Roles.Gateway] }],
    };
}
