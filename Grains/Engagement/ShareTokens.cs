using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Issues and checks share tokens: <c>base64url(2, nonce, AES-256-GCM(contents), tag)</c>, the contents being the
/// generation, the sharer's user id, the issue time (Unix ms) and the case id in UTF-8, sealed so that whoever a link
/// reaches can neither read who shared it nor change it. Tokens of the first version (signed, readable) are still checked.
/// </summary>
public sealed class ShareTokens(IOptions<EngagementOptions> options)
{
    /// <summary>Longest token accepted (a 64-character case id makes about 150).</summary>
    public const int MaxLength = 512;

    /// <summary>How the failure of a genuine token that is merely too old begins: an event that needs no token is judged without it.</summary>
    public const string Expired = "has expired";

    private const byte Signed = 1;
    private const byte Sealed = 2;
    private const int ContentBytes = 4 + 8 + 8;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int MacBytes = 32;
    private const string Forged = "has a bad signature (forged or tampered)";
    private readonly byte[] _signingKey = options.Value.ShareKeyBytes();
    // Its own key, derived from the share key: one key is never used by two algorithms.
    private readonly byte[] _sealingKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, options.Value.ShareKeyBytes(), 32, info: "alerts share token sealing"u8.ToArray());

    /// <summary>
    /// What tells one token from another without holding it (base64url of its SHA-256; empty for none): a refused
    /// event's token may be genuine, and a genuine one names its sharer, who may ask to be erased.
    /// </summary>
    public static string Fingerprint(string? token) => token is null ? "" : Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A sealed token for <paramref name="grant"/>.</summary>
    public string Issue(ShareGrant grant)
    {
        var contents = new byte[ContentBytes + Encoding.UTF8.GetByteCount(grant.CaseId)];
        BinaryPrimitives.WriteInt32BigEndian(contents, grant.Generation);
        BinaryPrimitives.WriteInt64BigEndian(contents.AsSpan(4), grant.SharerUserId);
        BinaryPrimitives.WriteInt64BigEndian(contents.AsSpan(12), grant.IssuedAt.ToUnixTimeMilliseconds());
        Encoding.UTF8.GetBytes(grant.CaseId, contents.AsSpan(ContentBytes));

        var token = new byte[1 + NonceBytes + contents.Length + TagBytes];
        token[0] = Sealed;
        var nonce = token.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_sealingKey, TagBytes);
        aes.Encrypt(nonce, contents, token.AsSpan(1 + NonceBytes, contents.Length), token.AsSpan(1 + NonceBytes + contents.Length), token.AsSpan(0, 1));
        return Base64Url.EncodeToString(token);
    }

    /// <summary>
    /// The grant of a genuine token for <paramref name="caseId"/> issued no later than <paramref name="latest"/> (and, when
    /// given, no earlier than <paramref name="earliest"/>: an older link has expired), else why not.
    /// </summary>
    public (ShareGrant? Grant, string? Failure) Check(string token, string caseId, DateTimeOffset latest, DateTimeOffset? earliest = null)
    {
        if (token.Length > MaxLength) return (null, $"is {token.Length} characters long; a share token has at most {MaxLength}");
        var (contents, failure) = token.Contains('.', StringComparison.Ordinal) ? OpenSigned(token) : OpenSealed(token);
        if (contents is null) return (null, failure);

        var generation = BinaryPrimitives.ReadInt32BigEndian(contents);
        var sharer = BinaryPrimitives.ReadInt64BigEndian(contents.AsSpan(4));
        var issuedMs = BinaryPrimitives.ReadInt64BigEndian(contents.AsSpan(12));
        string tokenCase;
        try
        {
            tokenCase = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(contents, ContentBytes, contents.Length - ContentBytes);
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

    private (byte[]? Contents, string? Failure) OpenSealed(string token)
    {
        if (!TryDecode(token, out var bytes)) return (null, "is malformed: not base64url");
        if (bytes.Length < 1 + NonceBytes + ContentBytes + TagBytes || bytes[0] != Sealed) return (null, "is malformed: not a share token");
        var contents = new byte[bytes.Length - 1 - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(_sealingKey, TagBytes);
            aes.Decrypt(bytes.AsSpan(1, NonceBytes), bytes.AsSpan(1 + NonceBytes, contents.Length), bytes.AsSpan(bytes.Length - TagBytes), contents, bytes.AsSpan(0, 1));
        }
        catch (AuthenticationTagMismatchException)
        {
            return (null, Forged);
        }

        return (contents, null);
    }

    // Tokens issued before 2026-12-02's evening: base64url(1, contents).base64url(HMAC-SHA256(key, that)).
    private (byte[]? Contents, string? Failure) OpenSigned(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1) return (null, "is malformed: not a share token");
        if (!TryDecode(token[..dot], out var payload) || !TryDecode(token[(dot + 1)..], out var mac)) return (null, "is malformed: not base64url");
        if (payload.Length < 1 + ContentBytes || payload[0] != Signed || mac.Length != MacBytes) return (null, "is malformed: not a share token");
        // Compared in constant time: a forger learns nothing from how long a wrong signature took to refuse.
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_signingKey, payload))) return (null, Forged);
        return (payload[1..], null);
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
