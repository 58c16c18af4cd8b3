namespace Alerts.Grains;

/// <summary>Engagement settings, bound from the "Alerts:Engagement" configuration section and checked at start.</summary>
public sealed class EngagementOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Alerts:Engagement";

    /// <summary>The configuration key of the share key.</summary>
    public const string ShareKeySetting = Section + ":ShareKey";

    /// <summary>Fewest bytes a share key may have (HMAC-SHA256 wants at least its output size).</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>Base64 of at least 32 random bytes that signs share tokens (HMAC-SHA256); every silo of a cluster needs the same.</summary>
    public string? ShareKey { get; set; }

    /// <summary>
    /// Grains per case that count its events, each for the users whose id mod this is its number: a case's reports are
    /// counted in parallel, one database connection each. The same on every silo of a cluster. Unset (0): 1 embedded
    /// (SQLite has one writer, so shards would only queue for it) and <see cref="ClusterShards"/> in a cluster.
    /// </summary>
    public int Shards { get; set; }

    /// <summary>The shards a cluster uses when <see cref="Shards"/> is unset.</summary>
    public const int ClusterShards = 4;

    /// <summary>Most events in one report.</summary>
    public int MaxEventsPerReport { get; set; } = 10_000;

    /// <summary>An event this far in the future is rejected (device clock skew allowance; at most an hour).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An event older than this is rejected (at most 30 days); it also bounds the timeline.</summary>
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a share link works after it was issued: an open, share or sighting through an older one is refused naming its token (a sighting from a user the case reached anyway is kept). At most 3,650 days.</summary>
    public TimeSpan ShareLinkLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Distinct map cells a case keeps counts for; engagement in further cells is gathered in one overflow cell.</summary>
    public int MaxMapCells { get; set; } = 20_000;

    /// <summary>Minutes the timeline keeps; the oldest minute is merged away when a newer one needs room.</summary>
    public int MaxTimelineMinutes { get; set; } = 20_160;

    /// <summary>Generations listed one by one; deeper ones are counted in the last.</summary>
    public int MaxListedGenerations { get; set; } = 64;

    /// <summary>The decoded share key; call after <see cref="Validate"/>.</summary>
    public byte[] ShareKeyBytes() => Convert.FromBase64String(ShareKey ?? "");

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first bad setting, so a misconfigured silo refuses to start.</summary>
    public void Validate()
    {
        if (KeySetting.Problem(ShareKey, MinimumKeyBytes, "Alerts__Engagement__ShareKey") is { } problem) throw Bad("ShareKey", problem);
        if (Shards is < 0 or > 256) throw Bad("Shards", $"is {Shards}; must be within [1, 256] (or unset)");
        if (MaxEventsPerReport < 1) throw Bad("MaxEventsPerReport", "must be positive");
        CheckTime(nameof(MaxClockSkew), MaxClockSkew, zeroAllowed: true, TimeSpan.FromHours(1));
        CheckTime(nameof(MaxEventAge), MaxEventAge, zeroAllowed: false, TimeSpan.FromDays(30));
        if (ShareLinkLifetime <= TimeSpan.Zero) throw Bad("ShareLinkLifetime", $"is {ShareLinkLifetime}; must be positive");
        CheckTime(nameof(ShareLinkLifetime), ShareLinkLifetime, zeroAllowed: false, TimeSpan.FromDays(3650));
        if (MaxMapCells < 1) throw Bad("MaxMapCells", "must be positive");
        if (MaxTimelineMinutes < 1) throw Bad("MaxTimelineMinutes", "must be positive");
        if (MaxListedGenerations < 1) throw Bad("MaxListedGenerations", "must be positive");
    }

    // As for Alerts' own times: a bare number is days ("MaxClockSkew: 5" is five days), and past what a date can hold
    // every report would fail naming nothing; the upper bounds catch both.
    private static void CheckTime(string setting, TimeSpan value, bool zeroAllowed, TimeSpan max)
    {
        if ((zeroAllowed ? value >= TimeSpan.Zero : value > TimeSpan.Zero) && value <= max) return;
        throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Section}:{setting} {value} is invalid: must be {(zeroAllowed ? "from 0" : "more than 0")} to {max} (write a time as hh:mm:ss, or d.hh:mm:ss; a bare number is read as days)."));
    }

    private static InvalidOperationException Bad(string setting, string problem) => new($"{Section}:{setting} {problem}.");
}
