using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>What a client does while a silo fails or restarts: a call routed to the lost silo fails once, and the caller tries again.</summary>
public static class Transient
{
    /// <summary>Calls until it succeeds (30 attempts, half a second apart); refusals and bad input are never retried.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (attempt < 30 && e is not AccessDeniedException and not ArgumentException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    /// <summary>The same for calls without a result.</summary>
    public static Task RetryAsync(Func<Task> call) => RetryAsync(async () =>
    {
        await call();
        return true;
    });
}
