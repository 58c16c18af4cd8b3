namespace Alerts.GrainInterfaces;

/// <summary>Where a case is in its life: draft → awaiting approval → dispatching → active → resolved | cancelled | expired.</summary>
[GenerateSerializer, Alias("alerts.CaseStatus")]
public enum CaseStatus
{
    /// <summary>No case with this id.</summary>
    None = 0,

    /// <summary>Filed, being prepared; nothing is sent.</summary>
    Draft = 1,

    /// <summary>Pushes are being computed cell by cell.</summary>
    Dispatching = 2,

    /// <summary>Every covering cell is done; late arrivals still get pushes until the case ends.</summary>
    Active = 3,

    /// <summary>The child was found.</summary>
    Resolved = 4,

    /// <summary>Withdrawn.</summary>
    Cancelled = 5,

    /// <summary>The active time is over.</summary>
    Expired = 6,

    /// <summary>Submitted; waits for a second admin to approve it.</summary>
    AwaitingApproval = 7,
}
