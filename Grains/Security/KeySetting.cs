namespace Alerts.Grains;

/// <summary>The checks a key setting (base64 of random bytes, shared by every silo) must pass.</summary>
public static class KeySetting
{
    /// <summary>What is wrong with <paramref name="value"/> as a key of at least <paramref name="minimumBytes"/> bytes, or null when it is fine.</summary>
    /// <param name="value">The setting's value.</param>
    /// <param name="minimumBytes">The fewest bytes the key may have.</param>
    /// <param name="environmentVariable">Where an operator puts it (quoted when it is missing).</param>
    public static string? Problem(string? value, int minimumBytes, string environmentVariable)
    {
        if (string.IsNullOrWhiteSpace(value))
            return $"is not set; make one with `{SecurityOptions.NewSigningKeyCommand}` and give it to every silo (e.g. environment variable {environmentVariable})";
        byte[] key;
        try
        {
            key = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            return $"is not base64; make one with `{SecurityOptions.NewSigningKeyCommand}`";
        }

        if (key.Length < minimumBytes) return $"has {key.Length} bytes, needs at least {minimumBytes}; make one with `{SecurityOptions.NewSigningKeyCommand}`";
        // Random bytes, not a typed secret run through base64 or a pattern: such a key can be guessed, and with it tokens
        // of any role (or share tokens) forged. Random bytes of this length are all printable text, or take fewer than
        // MinimumDistinctBytes values, less than once in 10^13 keys.
        // Tabs and line ends count as text too: `echo secret | base64` ends with a newline.
        if (key.All(b => b is (>= 0x20 and < 0x7F) or 0x09 or 0x0A or 0x0D))
            return $"is text run through base64, not random bytes: a typed key can be guessed and tokens forged with it; make one with `{SecurityOptions.NewSigningKeyCommand}`";
        var distinct = key.Distinct().Count();
        return distinct < MinimumDistinctBytes
            ? $"has {key.Length} bytes of only {distinct} different values, not random bytes: a pattern can be guessed and tokens forged with it; make one with `{SecurityOptions.NewSigningKeyCommand}`"
            : null;
    }

    /// <summary>The fewest different byte values a key may have (32 random bytes have about 30).</summary>
    public const int MinimumDistinctBytes = 16;
}
