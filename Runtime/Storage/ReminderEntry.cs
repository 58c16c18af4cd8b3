namespace Alerts.Runtime;

/// <summary>A durable reminder row: whose, which, its schedule and when it is next due (all UTC).</summary>
public sealed record ReminderEntry(string GrainType, string GrainKey, string Name, DateTime FirstTickUtc, TimeSpan Period, DateTime NextDueUtc);

/// <summary>Where reminders are kept so they survive a restart.</summary>
public interface IReminderTable
{
    /// <summary>Every reminder.</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadAllAsync();

    /// <summary>Inserts or replaces a reminder.</summary>
    Task UpsertAsync(ReminderEntry entry);

    /// <summary>Removes a reminder (no error when absent).</summary>
    Task DeleteAsync(string grainType, string grainKey, string name);
}
