using System.Buffers.Text;
using System.Security.Cryptography;

namespace Alerts.Grains;

/// <summary>Secrets for credentials the silo makes itself (the console's and the embedded silo's operator credential), and the least any secret must be.</summary>
public static class ClientSecret
{
    /// <summary>The fewest characters a secret may have for a new credential (those the silo makes have 43).</summary>
    public const int MinimumLength = 16;

    /// <summary>32 random bytes as base64url without padding: safe in a "name:secret" credential, a file, a shell or a URL.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Why <paramref name="secret"/> is too weak to make a credential of (never repeating it), or null when it will do.</summary>
    public static string? Problem(string? secret) =>
        secret is null || secret.Length < MinimumLength
            ? $"the secret has {secret?.Length ?? 0} characters, too few: it must have at least {MinimumLength} (a short one can be guessed, and anyone who guesses it signs in with its roles); use a random one, e.g. $(openssl rand -base64 32)"
            : null;
}
