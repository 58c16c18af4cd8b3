using System.Globalization;
using System.Security.Cryptography;

namespace Alerts.Grains;

/// <summary>PBKDF2-SHA256 hashes of client secrets, so configuration never holds a secret itself.</summary>
public static class CredentialHash
{
    private const int Iterations = 100_000;
    private const string Scheme = "pbkdf2-sha256";

    /// <summary>
    /// The most rounds a hash may take: ten times what <see cref="Create"/> uses (a few tenths of a second of a core). Every
    /// sign-in under a hash runs its rounds, so a typo of 2^31 would make each one take some ten minutes of a core.
    /// </summary>
    public const int MaxIterations = 1_000_000;

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
    public static bool IsWellFormed(string? stored) => Problem(stored) is null;

    /// <summary>What is wrong with <paramref name="stored"/> as a hash to sign in with ("is not …", "has … rounds: …"), or null.</summary>
    public static string? Problem(string? stored)
    {
        const string shape = "is not a \"pbkdf2-sha256$iterations$salt$hash\" hash (never put the secret itself here)";
        var parts = stored?.Split('$');
        if (parts is not { Length: 4 } || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            // A rounds count past what an int holds is still a rounds count: named as too many, not as a bad shape.
            return parts is { Length: 4 } && parts[0] == Scheme && parts[1].Length > 0 && parts[1].All(char.IsAsciiDigit) && parts[1].TrimStart('0').Length > 0
                ? TooManyRounds(parts[1])
                : shape;
        }

        if (iterations > MaxIterations) return TooManyRounds(parts[1]);
        try
        {
            return Convert.FromBase64String(parts[2]).Length > 0 && Convert.FromBase64String(parts[3]).Length > 0 ? null : shape;
        }
        catch (FormatException)
        {
            return shape;
        }
    }

    /// <summary>True when <paramref name="secret"/> matches the stored hash (constant-time comparison); false for a hash of more than <see cref="MaxIterations"/> rounds, unchecked.</summary>
    public static bool Verify(string secret, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations) || iterations < 1 || iterations > MaxIterations) return false;
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

    private static string TooManyRounds(string rounds) =>
        $"has {rounds} rounds: at most {MaxIterations} (hash-secret makes {Iterations}); every sign-in runs them all, so a silo would spend seconds to minutes of a core on each";
}
