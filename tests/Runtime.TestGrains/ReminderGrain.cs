namespace Alerts.Runtime.Tests;

/// <summary>Registers a reminder and signals when it fires.</summary>
public interface IReminderGrain : IGrainWithStringKey, IRemindable
{
    Task Register(TimeSpan due, TimeSpan period);
}

/// <summary>See <see cref="IReminderGrain"/>.</summary>
public sealed class ReminderGrain : Grain, IReminderGrain
{
    public Task Register(TimeSpan due, TimeSpan period) => RegisterOrUpdateReminder("wake", due, period);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        TestSignals.For("reminder:" + GetPrimaryKeyString()).TrySetResult(reminderName + "@" + status.CurrentTickTime.ToString("O"));
        return Task.CompletedTask;
    }
}
