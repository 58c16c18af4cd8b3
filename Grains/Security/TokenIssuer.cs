using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Orleans.Configuration;

namespace Alerts.Grains;

/// <summary>Signs and checks the cluster's access tokens: HMAC-SHA256 JWTs whose audience is this cluster.</summary>
public sealed class TokenIssuer
{
    /// <summary>The issuer every token names.</summary>
    public const string Issuer = "alerts";

    /// <summary>The claim that carries the client's roles (one entry per role).</summary>
    public const string RoleClaim = "roles";

    /// <summary>The claim that carries the <see cref="Fingerprint"/> of the credential the token was issued for.</summary>
    public const string CredentialClaim = "cred";

    // Silos' clocks differ a little; more than this and an expired token would live noticeably longer.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    // Enough for every client of a cluster several times over; a flood of distinct valid tokens only costs re-validation.
    private const int CacheLimit = 10_000;

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly TokenValidationParameters _parameters;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TokenCheck> _accepted = new(StringComparer.Ordinal);

    /// <summary>An issuer for this cluster (audience "{ServiceId}/{ClusterId}") with the configured key.</summary>
    public TokenIssuer(IOptions<SecurityOptions> security, IOptions<ClusterOptions> cluster, TimeProvider time)
    {
        var options = security.Value;
        options.Validate();
        Audience = $"{cluster.Value.ServiceId}/{cluster.Value.ClusterId}";
        _lifetime = options.TokenLifetime;
        _time = time;
        var key = new SymmetricSecurityKey(options.SigningKeyBytes());
        _credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            // Lifetime is checked below against the injected TimeProvider (the library's own clock is not replaceable).
            ValidateLifetime = false,
        };
    }

    /// <summary>The audience tokens of this cluster carry, so a token from another cluster is refused.</summary>
    public string Audience { get; }

    /// <summary>
    /// Names one version of a credential (its salted hash and roles) without revealing either: a token carries it, so a
    /// credential whose secret or roles changed, or that was made again, no longer honours the tokens issued before.
    /// </summary>
    public static string Fingerprint(string secretHash, IEnumerable<string> roles)
    {
        var text = $"{secretHash}\n{string.Join(',', roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))}";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }

    /// <summary>A token for <paramref name="name"/> with <paramref name="roles"/>, valid for the configured lifetime, naming the credential's <see cref="Fingerprint"/>.</summary>
    public AccessToken Issue(string name, IReadOnlyList<string> roles, string? credential = null)
    {
        var now = _time.GetUtcNow();
        // JWT times have whole seconds; round here so the expiry we report is the one in the token.
        now = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var expires = now + _lifetime;
        var claims = new Dictionary<string, object> { [RoleClaim] = roles.ToArray(), [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N") };
        if (credential is not null) claims[CredentialClaim] = credential;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(JwtRegisteredClaimNames.Sub, name)]),
            // A unique id makes every token distinct, even two issued to one client in the same second.
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = _credentials,
        });
        return new AccessToken(token, expires, roles.ToArray());
    }

    /// <summary>Checks signature, issuer, audience and expiry; accepted tokens are remembered until they expire.</summary>
    public async ValueTask<TokenCheck> Check(string? token)
    {
        if (string.IsNullOrEmpty(token)) return TokenCheck.Refused("no access token");
        var now = _time.GetUtcNow();
        if (_accepted.TryGetValue(token, out var known))
        {
            if (now <= known.ExpiresAt + ClockSkew) return known;
            _accepted.TryRemove(token, out _);
            return TokenCheck.Refused("token expired");
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid) return TokenCheck.Refused(Reason(result.Exception));
        if (result.SecurityToken is not JsonWebToken jwt || string.IsNullOrEmpty(jwt.Subject)) return TokenCheck.Refused("token has no subject");
        if (jwt.ValidTo == DateTime.MinValue) return TokenCheck.Refused("token has no expiry");
        if (jwt.IssuedAt == DateTime.MinValue) return TokenCheck.Refused("token has no issue time");
        var issuedAt = new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero);
        // No longer than the lifetime configured now: one shortened (and the silos restarted) also cuts the tokens issued before.
        var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        if (expires > issuedAt + _lifetime) expires = issuedAt + _lifetime;
        if (now > expires + ClockSkew) return TokenCheck.Refused("token expired");
        if (jwt.ValidFrom != DateTime.MinValue && now + ClockSkew < new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero)) return TokenCheck.Refused("token not yet valid");

        var roles = jwt.Claims.Where(c => c.Type == RoleClaim).Select(c => c.Value).ToArray();
        var credential = jwt.TryGetPayloadValue<string>(CredentialClaim, out var fingerprint) ? fingerprint : null;
        var check = new TokenCheck(jwt.Subject, roles, expires, null, issuedAt, credential);
        Remember(token, check, now);
        return check;
    }

    private void Remember(string token, TokenCheck check, DateTimeOffset now)
    {
        if (_accepted.Count >= CacheLimit)
        {
            foreach (var (key, value) in _accepted)
            {
                if (value.ExpiresAt + ClockSkew < now) _accepted.TryRemove(key, out _);
            }

            // Still full of live tokens: start over rather than let memory grow; they re-validate on next use.
            if (_accepted.Count >= CacheLimit) _accepted.Clear();
        }

        _accepted[token] = check;
    }

    private static string Reason(Exception? error) => error switch
    {
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "token signature invalid",
        SecurityTokenInvalidAudienceException => "token is for another cluster",
        SecurityTokenInvalidIssuerException => "token from another issuer",
        SecurityTokenInvalidAlgorithmException => "token signature invalid",
        SecurityTokenMalformedException or ArgumentException => "token malformed",
        _ => "token invalid",
    };
}
