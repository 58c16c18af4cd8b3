namespace Alerts.GrainInterfaces;

/// <summary>
/// A missing-child case as admins see it (key = case id): liaisons file, submit, update and cancel; approvers approve,
/// send back, widen, extend and resolve; viewers read (admins may do all three). Filed as a draft, submitted, approved by a second admin
/// (nothing reaches the public before), then dispatched; updated, widened, extended, resolved or cancelled.
/// Every call is written to the audit log with the caller, and an illegal transition names the current state.
/// </summary>
[Alias("alerts.case")]
[RequiresRole(Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin)]
public interface ICaseGrain : IGrainWithStringKey
{
    /// <summary>Files the case as a draft; the definition is validated field by field.</summary>
    [RequiresRole(Roles.Liaison, Roles.Admin)]
    [Alias("Open")]
    Task<CaseProgress> Open(CaseDefinition definition);

    /// <summary>Asks for approval (draft → awaiting approval).</summary>
    [RequiresRole(Roles.Liaison, Roles.Admin)]
    [Alias("Submit")]
    Task<CaseProgress> Submit();

    /// <summary>Approves and starts dispatching (awaiting approval → dispatching); the admin who filed it may not.</summary>
    [RequiresRole(Roles.Approver, Roles.Admin)]
    [Alias("Approve")]
    Task<CaseProgress> Approve();

    /// <summary>Sends the case back to its filer as a draft, with a reason.</summary>
    [RequiresRole(Roles.Approver, Roles.Admin)]
    [Alias("Reject")]
    Task<CaseProgress> Reject(string reason);

    /// <summary>A new message for everyone already reached (once each); users reached later get it instead of the old one.</summary>
    [RequiresRole(Roles.Liaison, Roles.Admin)]
    [Alias("Update")]
    Task<CaseProgress> Update(string message);

    /// <summary>Widens the radius; only users newly inside get a push.</summary>
    [RequiresRole(Roles.Approver, Roles.Admin)]
    [Alias("Widen")]
    Task<CaseProgress> Widen(double radiusMeters);

    /// <summary>Keeps the case active for longer (from now); a second admin, not the filer, must do it.</summary>
    [RequiresRole(Roles.Approver, Roles.Admin)]
    [Alias("Extend")]
    Task<CaseProgress> Extend(TimeSpan activeFor);

    /// <summary>The child was found: stops the case and sends a short closing message (null: the default) to everyone reached.</summary>
    [RequiresRole(Roles.Approver, Roles.Admin)]
    [Alias("Resolve")]
    Task<CaseProgress> Resolve(string? closingMessage);

    /// <summary>Withdraws the case with a reason: a dispatch stops, and if anything was sent the prepared correction follows it.</summary>
    [RequiresRole(Roles.Liaison, Roles.Admin)]
    [Alias("Cancel")]
    Task<CaseProgress> Cancel(string reason);

    /// <summary>Sends progress to the observer for a lease (returned); watch again within it, and after reconnecting.</summary>
    [Alias("Watch")]
    Task<TimeSpan> Watch(ICaseObserver observer);

    /// <summary>Dispatch progress.</summary>
    [ReadOnly, Alias("GetProgress")]
    Task<CaseProgress> GetProgress();

    /// <summary>The whole case: what was filed, by whom, its state and the notices sent.</summary>
    [ReadOnly, Alias("GetRecord")]
    Task<CaseRecord> GetRecord();
}
