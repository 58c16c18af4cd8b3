using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Alerts.Runtime;

/// <summary>
/// Durable reminders: kept in the reminder table, cached in memory, fired by a poll loop as
/// <see cref="IRemindable.ReceiveReminder"/> calls. After a restart the table is read again, so a
/// reminder that came due while the silo was down fires at start-up.
/// </summary>
public sealed class ReminderService(IReminderTable table, GrainRuntime runtime, TimeProvider time, SiloOptions options, ILogger<ReminderService> logger)
{
    private readonly ConcurrentDictionary<(string GrainType, string Key, string Name), ReminderEntry> _entries = new();
    private readonly SemaphoreSlim _firing = new(1, 1);

    /// <summary>Loads every reminder from the table.</summary>
    public async Task LoadAsync()
    {
        foreach (var entry in await table.ReadAllAsync().ConfigureAwait(false))
            _entries[(entry.GrainType, entry.GrainKey, entry.Name)] = entry;
    }

    /// <summary>Number of registered reminders.</summary>
    public int Count => _entries.Count;

    /// <summary>Registers or replaces a reminder of a grain.</summary>
    public async Task RegisterOrUpdateAsync(GrainId grain, string name, TimeSpan dueTime, TimeSpan period)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("reminderName must not be empty", nameof(name));
        if (dueTime < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "dueTime must not be negative");
        if (period < options.MinReminderPeriod)
            throw new ArgumentOutOfRangeException(nameof(period), period, $"period must be at least {options.MinReminderPeriod} (reminders are durable and coarse; use a grain timer for shorter periods)");
        if (!typeof(IRemindable).IsAssignableFrom(runtime.Registry.ForGrainType(grain.GrainType).Type))
            throw new InvalidOperationException($"{grain.GrainType} must implement IRemindable to register reminders.");
        var now = time.GetUtcNow().UtcDateTime;
        var entry = new ReminderEntry(grain.GrainType, grain.Key, name, now + dueTime, period, now + dueTime);
        await table.UpsertAsync(entry).ConfigureAwait(false);
        _entries[(grain.GrainType, grain.Key, name)] = entry;
    }

    /// <summary>Removes a reminder of a grain.</summary>
    public async Task UnregisterAsync(GrainId grain, string name)
    {
        await table.DeleteAsync(grain.GrainType, grain.Key, name).ConfigureAwait(false);
        _entries.TryRemove((grain.GrainType, grain.Key, name), out _);
    }

    /// <summary>Fires every reminder due at the current time; returns how many fired.</summary>
    public async Task<int> FireDueAsync()
    {
        await _firing.WaitAsync().ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            var due = _entries.Values.Where(e => e.NextDueUtc <= now).ToList();
            foreach (var entry in due)
            {
                // Advance first and durably, so a crash while the grain runs does not fire it again in a loop.
                var next = entry.NextDueUtc + entry.Period;
                if (next <= now) next = now + entry.Period;
                var advanced = entry with { NextDueUtc = next };
                await table.UpsertAsync(advanced).ConfigureAwait(false);
                _entries[(entry.GrainType, entry.GrainKey, entry.Name)] = advanced;
                try
                {
                    var remindable = runtime.GetGrainById<IRemindable>(new GrainId(entry.GrainType, entry.GrainKey));
                    await remindable.ReceiveReminder(entry.Name, new TickStatus(entry.FirstTickUtc, entry.Period, now)).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Reminder {Name} of {GrainType}/{Key} failed", entry.Name, entry.GrainType, entry.GrainKey);
                }
            }

            return due.Count;
        }
        finally
        {
            _firing.Release();
        }
    }
}
