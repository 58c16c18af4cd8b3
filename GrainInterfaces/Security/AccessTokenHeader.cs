namespace Alerts.GrainInterfaces;

/// <summary>The request-context key under which a client sends its access token with every call.</summary>
public static class AccessTokenHeader
{
    /// <summary>Shared by the client filter that sets it and the silo filter that reads it.</summary>
    public const string Key = "alerts-token";
}
