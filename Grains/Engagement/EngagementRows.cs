using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>The rows one report adds to a case's engagement tables, column by column, each row with the report position it came from.</summary>
public sealed class EngagementRows
{
    /// <summary>Deliveries: user, time, cell.</summary>
    public List<(int Index, long UserId, long AtMs, string Cell)> Deliveries { get; } = [];

    /// <summary>Opens: user, time, cell, the sharer whose link it came through, its generation (0: from the push), pushed or not.</summary>
    public List<(int Index, long UserId, long AtMs, string Cell, long? Sharer, int Generation, bool Pushed)> Opens { get; } = [];

    /// <summary>Shares: user, channel, time, cell, generation.</summary>
    public List<(int Index, long UserId, ShareChannel Channel, long AtMs, string Cell, int Generation)> Shares { get; } = [];

    /// <summary>Sightings: user, time seen, where, what, the sighting's cell.</summary>
    public List<(int Index, long UserId, long SeenMs, SightingDetails Details, string Cell)> Sightings { get; } = [];

    /// <summary>Refused events, each once: user, kind, time, channel (a share's, else empty), the share token's fingerprint (else empty).</summary>
    public List<(long UserId, EngagementKind Kind, long AtMs, string Channel, string Token)> Refusals { get; } = [];

    /// <summary>True when nothing is to be written.</summary>
    public bool IsEmpty => Deliveries.Count == 0 && Opens.Count == 0 && Shares.Count == 0 && Sightings.Count == 0 && Refusals.Count == 0;
}
