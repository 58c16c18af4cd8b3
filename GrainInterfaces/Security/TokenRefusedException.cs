namespace Alerts.GrainInterfaces;

/// <summary>
/// A client call refused, before any grain ran, for its token itself: missing, expired by the silo's clock, signed with
/// another key, or naming a credential since revoked or changed. The client library signs in again and makes the call once more.
/// </summary>
[GenerateSerializer, Alias("alerts.TokenRefusedException")]
public sealed class TokenRefusedException : AccessDeniedException
{
    /// <summary>A refusal with its reason.</summary>
    public TokenRefusedException(string message) : base(message)
    {
    }
}
