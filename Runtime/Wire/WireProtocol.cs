namespace Alerts.Runtime;

/// <summary>The wire protocol's version, sent as "v" in every message.</summary>
public static class WireProtocol
{
    /// <summary>Version 1: JSON text frames, described in the README.</summary>
    public const int Version = 1;
}
