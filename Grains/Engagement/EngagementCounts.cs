using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>Deliveries, opens, shares and sightings in one bucket of a case's map or timeline.</summary>
public struct EngagementCounts
{
    /// <summary>Deliveries.</summary>
    public long Delivered;

    /// <summary>Unique opens.</summary>
    public long Opened;

    /// <summary>Shares.</summary>
    public long Shares;

    /// <summary>Sightings.</summary>
    public long Sightings;

    /// <summary>Adds <paramref name="count"/> events of <paramref name="kind"/>.</summary>
    public void Add(EngagementKind kind, long count)
    {
        switch (kind)
        {
            case EngagementKind.Delivered: Delivered += count; break;
            case EngagementKind.Opened: Opened += count; break;
            case EngagementKind.Shared: Shares += count; break;
            case EngagementKind.Sighted: Sightings += count; break;
        }
    }

    /// <summary>Adds every count of <paramref name="other"/>.</summary>
    public void Add(EngagementCounts other)
    {
        Delivered += other.Delivered;
        Opened += other.Opened;
        Shares += other.Shares;
        Sightings += other.Sightings;
    }
}
