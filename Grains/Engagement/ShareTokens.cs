using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Issues and checks share tokens: <c>base64url(payload).base64url(HMAC-SHA256(key, payload))</c>, the payload being a
/// version byte, the generation, the sharer's user id, the issue time (Unix ms) and the case id in UTF-8.
/// </summary>
public sealed class ShareTokens(IOptions<EngagementOptions> options)
{
    /// <summary>Longest token accepted (a 64-character case id makes about 150).</summary>
    public const int MaxLength = 512;

    /// <summary>How the failure of a genuine token that is merely too old begins: an event that needs no token is judged without it.</summary>
    public const string Expired = "has expired";

    private const byte Version = 1;
    private const int FixedBytes = 1 + 4 + 8 + 8;
    private const int MacBytes = 32;
    private readonly byte[] _key = options.Value.ShareKeyBytes();

    /// <summary>
    /// What tells one token from another without holding it (base64url of its SHA-256; empty for none): a refused
    /// event's token may be genuine, and a genuine one names its sharer, who may ask to be erased.
    /// </summary>
    public static string Fingerprint(string? token) => token is null ? "" : Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A signed token for <paramref name="grant"/>.</summary>
    public string Issue(ShareGrant grant)
    {
        var caseBytes = Encoding.UTF8.GetBytes(grant.CaseId);
        var payload = new byte[FixedBytes + caseBytes.Length];
        payload[0] = Version;
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(1), grant.Generation);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(5), grant.SharerUserId);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(13), grant.IssuedAt.ToUnixTimeMilliseconds());
        caseBytes.CopyTo(payload, FixedBytes);
        return $"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(HMACSHA256.HashData(_key, payload))}";
    }

    /// <summary>
    /// The grant of a genuine token for <paramref name="caseId"/> issued no later than <paramref name="latest"/> (and, when
    /// given, no earlier than <paramref name="earliest"/>: an older link has expired), else why not.
    /// </summary>
    public (ShareGrant? Grant, string? Failure) Check(string token, string caseId, DateTimeOffset latest, DateTimeOffset? earliest = null)
    {
        if (token.Length > MaxLength) return (null, $"is {token.Length} characters long; a share token has at most {MaxLength}");
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1) return (null, "is malformed: not a share token");
        byte[] payload, mac;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return (null, "is malformed: not base64url");
        }

        if (payload.Length < FixedBytes || payload[0] != Version || mac.Length != MacBytes) return (null, "is malformed: not a share token");
        // Compared in constant time: a forger learns nothing from how long a wrong signature took to refuse.
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload))) return (null, "has a bad signature (forged or tampered)");
        var generation = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(1));
        var sharer = BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(5));
        var issuedMs = BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(13));
        string tokenCase;
        try
        {
            tokenCase = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload, FixedBytes, payload.Length - FixedBytes);
        }
        catch (ArgumentException)
        {
            return (null, "is malformed: its case id is not UTF-8");
        }

        if (!string.Equals(tokenCase, caseId, StringComparison.Ordinal)) return (null, $"is for another case ({tokenCase}), not {caseId}");
        if (generation < 1 || sharer <= 0 || issuedMs < 0 || issuedMs > latest.ToUnixTimeMilliseconds()) return (null, "is malformed: impossible contents");
        var issued = DateTimeOffset.FromUnixTimeMilliseconds(issuedMs);
        if (issued < earliest)
            return (null, string.Create(CultureInfo.InvariantCulture, $"{Expired}: issued {issued:yyyy-MM-dd HH:mm} UTC, and share links last {options.Value.ShareLinkLifetime:c} (Alerts:Engagement:ShareLinkLifetime)"));
        return (new ShareGrant(tokenCase, sharer, generation, issued), null);
    }
}
