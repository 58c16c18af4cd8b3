namespace Alerts.Client.Cap;

/// <summary>Maps a CAP <c>language</c> (RFC 3066) to a case language: <c>zh-CN</c>, <c>zh-TW</c> or <c>en</c>.</summary>
public static class CapLanguages
{
    /// <summary>The case language for <paramref name="capLanguage"/>, or null when cases have none for it.</summary>
    public static string? ToCase(string capLanguage)
    {
        var tag = capLanguage.Trim().Replace('_', '-');
        var primary = tag.Split('-')[0];
        if (primary.Equals("en", StringComparison.OrdinalIgnoreCase)) return "en";
        if (!primary.Equals("zh", StringComparison.OrdinalIgnoreCase)) return null;
        // zh-TW, zh-HK, zh-MO and zh-Hant read traditional characters; zh, zh-CN, zh-SG and zh-Hans simplified.
        var traditional = tag.Split('-').Skip(1).Any(s => s.ToUpperInvariant() is "TW" or "HK" or "MO" or "HANT");
        return traditional ? "zh-TW" : "zh-CN";
    }
}
