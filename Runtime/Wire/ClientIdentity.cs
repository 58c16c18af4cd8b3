namespace Alerts.Runtime;

/// <summary>An authenticated remote client: its name and roles.</summary>
public sealed record ClientIdentity(string Name, IReadOnlySet<string> Roles)
{
    /// <summary>True when the caller holds one of the required roles (or none is required).</summary>
    public bool MayCall(GrainMethod method) => method.Roles.Count == 0 || method.Roles.Any(Roles.Contains);

    /// <summary>Checks a bearer token "name:secret" against the configured clients; null when unknown or wrong.</summary>
    public static ClientIdentity? Authenticate(string? authorization, GatewayOptions options)
    {
        const string prefix = "Bearer ";
        if (authorization is null || !authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
        var token = authorization[prefix.Length..].Trim();
        var colon = token.IndexOf(':');
        if (colon <= 0) return null;
        var name = token[..colon];
        var client = options.Clients.FirstOrDefault(c => c.Name == name);
        if (client is null || !CredentialHash.Verify(token[(colon + 1)..], client.SecretHash)) return null;
        return new ClientIdentity(client.Name, client.Roles.ToHashSet(StringComparer.Ordinal));
    }
}
