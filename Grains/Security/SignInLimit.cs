using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// How many secrets a silo checks at once. A check is 100,000 rounds of PBKDF2 (tens of milliseconds of a core), and
/// sign-in is open to anyone: without a bound, a stream of made-up sign-ins would take the cores a dispatch needs. A
/// sign-in beyond <see cref="SecurityOptions.MaxConcurrentSignIns"/> waits its turn; beyond
/// <see cref="SecurityOptions.MaxWaitingSignIns"/> more it is refused at once with <see cref="SignInBusyException"/>.
/// </summary>
public sealed class SignInLimit(IOptions<SecurityOptions> options)
{
    private readonly int _concurrent = options.Value.MaxConcurrentSignIns;
    private readonly int _waiting = options.Value.MaxWaitingSignIns;
    private readonly SemaphoreSlim _checking = new(options.Value.MaxConcurrentSignIns, options.Value.MaxConcurrentSignIns);
    // Sign-ins being checked or waiting: never more than the two settings together.
    private int _admitted;

    /// <summary>Waits for a turn to check a secret; dispose the turn when the check is done.</summary>
    public async Task<IDisposable> EnterAsync()
    {
        if (Interlocked.Increment(ref _admitted) > _concurrent + _waiting)
        {
            Interlocked.Decrement(ref _admitted);
            throw new SignInBusyException(
                $"sign-in is busy: {_concurrent} being checked and {_waiting} waiting on this silo (Alerts:Security:MaxConcurrentSignIns, MaxWaitingSignIns); retry in a moment");
        }

        try
        {
            await _checking.WaitAsync();
        }
        catch
        {
            Interlocked.Decrement(ref _admitted);
            throw;
        }

        return new Turn(this);
    }

    // The place first, then the check: a sign-in arriving in between is admitted to wait, not refused.
    private void Leave()
    {
        Interlocked.Decrement(ref _admitted);
        _checking.Release();
    }

    private sealed class Turn(SignInLimit limit) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0) limit.Leave();
        }
    }
}
