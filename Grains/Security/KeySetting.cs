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

        return key.Length < minimumBytes ? $"has {key.Length} bytes, needs at least {minimumBytes}; make one with `{SecurityOptions.NewSigningKeyCommand}`" : null;
    }
}
