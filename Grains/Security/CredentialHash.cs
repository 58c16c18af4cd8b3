using System.Security.Cryptography;

namespace Alerts.Grains;

/// <summary>PBKDF2-SHA256 hashes of client secrets, so configuration never holds a secret itself.</summary>
public static class CredentialHash
{
    private const int Iterations = 100_000;
    private const string Scheme = "pbkdf2-sha256";

    /// <summary>
    /// A new salted hash of <paramref name="secret"/>: "pbkdf2-sha256$iterations$salt$hash". A secret shorter than
    /// <see cref="ClientSecret.MinimumLength"/> is refused (<see cref="ArgumentException"/>): no new credential gets one.
    /// Hashes made before, of shorter secrets, still verify.
    /// </summary>
    public static string Create(string secret)
    {
        if (ClientSecret.Problem(secret) is { } problem) throw new ArgumentException(problem, nameof(secret));
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(secret, salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>True when <paramref name="stored"/> has the shape of a hash this class makes (checked at silo start, not on every sign-in).</summary>
    public static bool IsWellFormed(string? stored)
    {
        var parts = stored?.Split('$');
        if (parts is not { Length: 4 } || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations) || iterations < 1) return false;
        try
        {
            return Convert.FromBase64String(parts[2]).Length > 0 && Convert.FromBase64String(parts[3]).Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="secret"/> matches the stored hash (constant-time comparison).</summary>
    public static bool Verify(string secret, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations) || iterations < 1) return false;
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(secret, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
