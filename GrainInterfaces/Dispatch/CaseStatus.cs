namespace Alerts.GrainInterfaces;

/// <summary>Where a case is in its life.</summary>
[GenerateSerializer, Alias("alerts.CaseStatus")]
public enum CaseStatus
{
    /// <summary>No case with this id.</summary>
    None,

    /// <summary>Filed, not yet dispatched.</summary>
    Open,

    /// <summary>Pushes are being computed cell by cell.</summary>
    Dispatching,

    /// <summary>Every covering cell is done; late arrivals still get pushes.</summary>
    Dispatched,

    /// <summary>The child was found.</summary>
    Resolved,

    /// <summary>Withdrawn.</summary>
    Cancelled,

    /// <summary>The 72 hours are over.</summary>
    Expired,
}
