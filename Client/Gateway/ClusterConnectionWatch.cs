namespace Alerts.Client;

/// <summary>
/// Hears from the Orleans client when its last gateway connection closes and when one opens again.
/// Orleans calls it on its own networking path, so the handlers must return at once.
/// </summary>
internal sealed class ClusterConnectionWatch : IClusterConnectionStatusObserver
{
    /// <summary>Raised when no gateway connection is left.</summary>
    public event Action? Lost;

    /// <summary>Raised when a gateway connection opens after there was none.</summary>
    public event Action? Recovered;

    /// <inheritdoc />
    public void NotifyClusterConnectionLost() => Lost?.Invoke();

    /// <inheritdoc />
    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (connectionRecovered) Recovered?.Invoke();
    }
}
