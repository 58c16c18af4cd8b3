namespace Alerts.GrainInterfaces;

/// <summary>Which push-hub subscription names a client credential may use: its own name, or its name, '/' and an instance.</summary>
public static class GatewayNames
{
    /// <summary>Separates a credential's name from a gateway instance's part ("gateway-1/replica-a"); no credential name may contain it.</summary>
    public const char Separator = '/';

    /// <summary>
    /// True when a client signed in as <paramref name="credentialName"/> may subscribe, renew, leave and acknowledge under
    /// <paramref name="gatewayName"/>: the same name, or that name followed by <see cref="Separator"/> and at least one more
    /// character (so "gw-1" never covers "gw-10", and several replicas behind one credential each have a name of their own).
    /// </summary>
    public static bool IsOwnedBy(string? gatewayName, string credentialName) =>
        gatewayName is not null
        && gatewayName.StartsWith(credentialName, StringComparison.Ordinal)
        && (gatewayName.Length == credentialName.Length || (gatewayName.Length > credentialName.Length + 1 && gatewayName[credentialName.Length] == Separator));

    /// <summary>Why <paramref name="gatewayName"/> is not <paramref name="credentialName"/>'s, for a refusal naming the <paramref name="field"/> it came in.</summary>
    public static string Refusal(string field, string? gatewayName, string credentialName) =>
        $"{field} \"{gatewayName}\" is not credential {credentialName}'s: a gateway subscribes only under its own credential name, \"{credentialName}\", or \"{credentialName}{Separator}<instance>\"";
}
