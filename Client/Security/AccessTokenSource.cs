using Alerts.GrainInterfaces;
using Orleans;

namespace Alerts.Client;

/// <summary>
/// Holds this client's access token: signs in on first use and again before the token expires; a renewal refused as
/// busy (<see cref="SignInBusyException"/>) keeps the token held while it is still valid.
/// </summary>
public sealed class AccessTokenSource
{
    // Refresh at 80 % of the token's life, so a call never leaves with a token about to expire on its way.
    private const double RefreshAt = 0.8;

    // Even with clocks far apart, never sign in more often than this.
    private static readonly TimeSpan ShortestRefresh = TimeSpan.FromSeconds(10);

    private readonly IGrainFactory _grains;
    private readonly string _name;
    private readonly string _secret;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _signingIn = new(1, 1);
    private volatile Held? _held;

    /// <summary>A source that signs in as <paramref name="name"/> with <paramref name="secret"/>.</summary>
    public AccessTokenSource(IGrainFactory grains, string name, string secret, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _grains = grains;
        _name = name;
        _secret = secret;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A source for a "name:secret" credential (the secret may itself contain ':').</summary>
    public static AccessTokenSource FromCredential(IGrainFactory grains, string credential, TimeProvider? time = null)
    {
        var (name, secret) = ParseCredential(credential);
        return new AccessTokenSource(grains, name, secret, time);
    }

    /// <summary>Splits "name:secret" at its first ':'; the message never repeats the credential, which holds a secret.</summary>
    public static (string Name, string Secret) ParseCredential(string credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var colon = credential.IndexOf(':');
        if (colon <= 0 || colon == credential.Length - 1)
        {
            throw new ArgumentException("a credential is \"name:secret\" with neither part empty", nameof(credential));
        }

        return (credential[..colon], credential[(colon + 1)..]);
    }

    /// <summary>The client name this source signs in as.</summary>
    public string Name => _name;

    /// <summary>The current token, signing in first when there is none or it is near its expiry.</summary>
    public async ValueTask<string> GetToken(CancellationToken cancellation = default)
    {
        var held = _held;
        if (held is not null && _time.GetUtcNow() < held.RefreshAt) return held.Token.Token;

        // One sign-in at a time: callers arriving meanwhile wait for it and take its token.
        await _signingIn.WaitAsync(cancellation);
        try
        {
            held = _held;
            var now = _time.GetUtcNow();
            if (held is not null && now < held.RefreshAt) return held.Token.Token;

            AccessToken token;
            try
            {
                token = await _grains.GetGrain<ISignInGrain>(0).SignIn(_name, _secret);
            }
            catch (SignInBusyException) when (held is not null && StillGood(held.Token, out now))
            {
                // The silo is shedding sign-ins (under a flood of them, perhaps): the token held is still good, so calls
                // go on with it and the renewal is tried again on the next call after a short pause.
                _held = held with { RefreshAt = now + ShortestRefresh };
                return held.Token.Token;
            }

            now = _time.GetUtcNow();
            var life = token.ExpiresAt - now;
            var refreshAfter = life * RefreshAt;
            if (refreshAfter < ShortestRefresh) refreshAfter = ShortestRefresh;
            _held = new Held(token, now + refreshAfter);
            return token.Token;
        }
        finally
        {
            _signingIn.Release();
        }
    }

    /// <summary>
    /// Drops <paramref name="token"/> when it is still the one held, so the next call signs in again: a silo refused it
    /// (<see cref="TokenRefusedException"/>) though this client's clock says it is good.
    /// </summary>
    public void Discard(string token)
    {
        var held = _held;
        if (held is not null && held.Token.Token == token) Interlocked.CompareExchange(ref _held, null, held);
    }

    // Read after the refusal (the call may have waited): good for at least one more pause before the next try.
    private bool StillGood(AccessToken token, out DateTimeOffset now)
    {
        now = _time.GetUtcNow();
        return now + ShortestRefresh < token.ExpiresAt;
    }

    private sealed record Held(AccessToken Token, DateTimeOffset RefreshAt);
}
