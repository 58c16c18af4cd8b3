namespace Alerts.Tests;

/// <summary>Waits for a condition only a remote call can read (e.g. the hub's counters), checking it every 50 ms until a timeout.</summary>
public static class Eventually
{
    /// <summary>Completes when <paramref name="condition"/> holds; throws naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"waited {timeout} for {what()}");
            await Task.Delay(50);
        }
    }
}
