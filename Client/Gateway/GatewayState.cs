namespace Alerts.Client;

/// <summary>Where a <see cref="GatewayConnection"/> stands.</summary>
public enum GatewayState
{
    /// <summary>Connecting to the cluster and subscribing at the push hub for the first time.</summary>
    Connecting,

    /// <summary>Connected and subscribed: the last subscription (or renewal) succeeded and no connection loss came after it.</summary>
    Connected,

    /// <summary>The connection to the cluster was lost, or a subscription or renewal failed; the connection is trying again by itself.</summary>
    Reconnecting,

    /// <summary>Disposed, or the first connection failed: nothing more happens.</summary>
    Closed,
}
