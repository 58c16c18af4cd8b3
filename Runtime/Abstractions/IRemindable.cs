namespace Alerts.Runtime;

/// <summary>Implemented by grains that register durable reminders.</summary>
public interface IRemindable : IGrain
{
    /// <summary>A reminder came due; runs as a turn of the grain.</summary>
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <summary>What a reminder tick knows about its schedule.</summary>
public readonly record struct TickStatus(DateTime FirstTickTime, TimeSpan Period, DateTime CurrentTickTime);
