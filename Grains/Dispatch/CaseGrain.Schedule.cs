using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// The case's clock, on durable reminders so it keeps time across restarts and silo failures: expiry after the active
/// time, and the widening schedule's rings, each fired once, on time, reaching only users newly inside.
/// </summary>
public sealed partial class CaseGrain
{
    private const string ExpiryReminder = "expire";
    private const string RingReminder = "rings";
    // Reminders fire at least once but not to the millisecond, and a tick missed while no silo held the case is
    // skipped: checking every minute after the due time bounds how late a case can expire or a ring fire.
    private static readonly TimeSpan ReminderCheckPeriod = TimeSpan.FromMinutes(1);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ExpiryReminder)
        {
            // An end not yet finished keeps the reminder: it is what wakes the case to finish it.
            if (S.Ending) await FinishEndingAsync();
            else if (!IsActive) await UnregisterAsync(ExpiryReminder); // a case that ended while its reminder could not be removed
            else if (time.GetUtcNow() >= S.ActiveUntil) await ExpireAsync();
        }
        else if (reminderName == RingReminder)
        {
            await FireDueRingsAsync();
        }
    }

    private async Task ExpireAsync()
    {
        await EndAsync(CaseStatus.Expired, audited: new AuditedAction("case.expire", S.Status, $"active until {S.ActiveUntil:O}"));
    }

    private Task ScheduleExpiryAsync(TimeSpan due) => this.RegisterOrUpdateReminder(ExpiryReminder, due, ReminderCheckPeriod);

    // Every ring whose time has come fires now (several at once after an outage: the widest of them wins).
    private async Task FireDueRingsAsync()
    {
        var rings = S.Definition?.Rings ?? [];
        if (!IsActive || S.ApprovedAt is not { } approvedAt || S.RingsFired >= rings.Count)
        {
            await UnregisterAsync(RingReminder);
            return;
        }

        var now = time.GetUtcNow();
        var due = rings.Count(r => approvedAt + r.After <= now);
        if (due > S.RingsFired)
        {
            var before = S.Status;
            var ring = rings[due - 1];
            var firedBefore = S.RingsFired;
            S.RingsFired = due;
            var detail = $"ring {due} of {rings.Count}: {S.RadiusMeters} m → {ring.RadiusMeters} m";
            // Unwritten, the rings are not fired: the reminder's next tick fires them.
            void Unfire() => S.RingsFired = firedBefore;
            var audited = new AuditedAction("case.ring", before, detail);
            if (ring.RadiusMeters > S.RadiusMeters) await WidenToAsync(ring.RadiusMeters, Unfire, audited);
            else await SaveAsync(Unfire, audited);
            logger.LogInformation("Case {Case}: {Ring}", CaseId, detail);
        }

        await ScheduleNextRingAsync();
    }

    // Due exactly when the next ring is: each ring fires on time rather than on the next periodic tick.
    private async Task ScheduleNextRingAsync()
    {
        var rings = S.Definition?.Rings ?? [];
        if (S.ApprovedAt is not { } approvedAt || S.RingsFired >= rings.Count)
        {
            await UnregisterAsync(RingReminder);
            return;
        }

        var due = approvedAt + rings[S.RingsFired].After - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(RingReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, ReminderCheckPeriod);
    }

    private async Task UnscheduleAsync()
    {
        await UnregisterAsync(ExpiryReminder);
        await UnregisterAsync(RingReminder);
    }

    private async Task UnregisterAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder) await this.UnregisterReminder(reminder);
    }
}
