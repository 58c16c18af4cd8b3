namespace Alerts.GrainInterfaces;

/// <summary>A client call refused before any grain ran: no token, a bad or expired one, or a missing role.</summary>
[GenerateSerializer, Alias("alerts.AccessDeniedException")]
public class AccessDeniedException : Exception
{
    /// <summary>A refusal with its reason.</summary>
    public AccessDeniedException(string message) : base(message)
    {
    }
}
