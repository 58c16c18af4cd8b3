using System.Buffers.Text;
using System.Security.Cryptography;

namespace Alerts.Grains;

/// <summary>Secrets for credentials the silo makes itself (the console's and the embedded silo's operator credential).</summary>
public static class ClientSecret
{
    /// <summary>32 random bytes as base64url without padding: safe in a "name:secret" credential, a file, a shell or a URL.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
