using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Alerts.Grains;

/// <summary>
/// The settings every silo of a cluster must run with alike, as they are written in <c>live_silos</c>: keys only as a
/// fingerprint (64 bits of an HMAC under the key of a text naming the setting, which tells two keys apart and gives
/// neither away: a key is 32 random bytes, see <see cref="SecurityOptions.NewSigningKey"/>).
/// </summary>
public sealed record SharedSettings(IReadOnlyDictionary<string, string> Values)
{
    // What goes wrong when two live silos differ, said in the refusal. CellPrecision is not here: the database pins it.
    private static readonly Dictionary<string, string> Consequences = new(StringComparer.Ordinal)
    {
        ["Alerts:BlockPrecision"] = "the silos would keep the same residents in cell grains of two sizes, and a case would miss what the other size holds",
        ["Alerts:DirectoryShards"] = "a user would be in two directories at once, and could be kept in two cells and alerted twice",
        ["Alerts:MaxPositionAge"] = "the purge, made by whichever silo comes first, would delete positions the other silos still alert",
        ["Alerts:Engagement:Shards"] = "engagement would be counted in shards the other silos never read",
        // An engagement shard is checked by whichever silo holds it at the time: its acceptance must not depend on which.
        ["Alerts:Engagement:ShareLinkLifetime"] = "a share link would be accepted while one silo holds its case's engagement and refused as expired while another does",
        ["Alerts:Engagement:MaxEventAge"] = "an event reported late would be counted while one silo holds its case's engagement and refused while another does",
        ["Alerts:Engagement:MaxClockSkew"] = "an event stamped ahead of the clock would be counted while one silo holds its case's engagement and refused while another does",
        ["Alerts:Security:SigningKey"] = "tokens one silo signs would be refused by the others",
        ["Alerts:Engagement:ShareKey"] = "share links one silo makes would be refused by the others",
    };

    /// <summary>This silo's values of the shared settings.</summary>
    public static SharedSettings Of(AlertsOptions alerts, EngagementOptions engagement, SecurityOptions security) => new(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Alerts:BlockPrecision"] = alerts.BlockPrecision.ToString(CultureInfo.InvariantCulture),
        ["Alerts:DirectoryShards"] = alerts.DirectoryShards.ToString(CultureInfo.InvariantCulture),
        ["Alerts:MaxPositionAge"] = alerts.MaxPositionAge.ToString("c", CultureInfo.InvariantCulture),
        ["Alerts:Engagement:Shards"] = engagement.Shards.ToString(CultureInfo.InvariantCulture),
        ["Alerts:Engagement:ShareLinkLifetime"] = engagement.ShareLinkLifetime.ToString("c", CultureInfo.InvariantCulture),
        ["Alerts:Engagement:MaxEventAge"] = engagement.MaxEventAge.ToString("c", CultureInfo.InvariantCulture),
        ["Alerts:Engagement:MaxClockSkew"] = engagement.MaxClockSkew.ToString("c", CultureInfo.InvariantCulture),
        ["Alerts:Security:SigningKey"] = Fingerprint("Alerts:Security:SigningKey", security.SigningKey),
        ["Alerts:Engagement:ShareKey"] = Fingerprint("Alerts:Engagement:ShareKey", engagement.ShareKey),
    });

    /// <summary>The form stored in <c>live_silos.settings</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(Values.OrderBy(v => v.Key, StringComparer.Ordinal).ToDictionary(v => v.Key, v => v.Value));

    /// <summary>Reads the stored form; a row that cannot be read compares as having no settings (every one differs).</summary>
    public static SharedSettings FromJson(string json)
    {
        try
        {
            return new SharedSettings(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []);
        }
        catch (JsonException)
        {
            return new SharedSettings(new Dictionary<string, string>());
        }
    }

    /// <summary>
    /// One line for each setting whose value here differs from <paramref name="theirs"/> (a silo's named by
    /// <paramref name="silo"/>), saying both values, or "another key" for keys, and what would go wrong.
    /// </summary>
    public IEnumerable<string> DifferencesFrom(SharedSettings theirs, string silo)
    {
        foreach (var (name, mine) in Values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var their = theirs.Values.GetValueOrDefault(name);
            if (string.Equals(mine, their, StringComparison.Ordinal)) continue;
            var consequence = Consequences.GetValueOrDefault(name, "the silos would not agree");
            yield return IsKey(name)
                ? $"{name} is another key here than on silo {silo}: {consequence}"
                : $"{name} is {mine} here but {their ?? "not known"} on silo {silo}: {consequence}";
        }
    }

    private static bool IsKey(string name) => name.EndsWith("Key", StringComparison.Ordinal);

    // Under each key, a text naming its setting: the same key given as both settings does not show as the same fingerprint.
    private static string Fingerprint(string setting, string? base64Key)
    {
        if (string.IsNullOrEmpty(base64Key)) return "none";
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64Key);
        }
        catch (FormatException)
        {
            // Validated before this runs; a value that is no key still compares by its own fingerprint.
            key = Encoding.UTF8.GetBytes(base64Key);
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("Alerts shared settings fingerprint of " + setting)))[..16];
    }
}
