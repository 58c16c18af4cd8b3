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
        var place = Admit();
        try
        {
            await place.TurnAsync();
        }
        catch
        {
            place.Dispose();
            throw;
        }

        return place;
    }

    /// <summary>
    /// A place among the sign-ins checked or waiting, or <see cref="SignInBusyException"/> at once: taken before a sign-in
    /// costs anything (a read of the credentials table), then <see cref="Place.TurnAsync"/> before its check. Dispose it when done.
    /// </summary>
    public Place Admit()
    {
        if (Interlocked.Increment(ref _admitted) > _concurrent + _waiting)
        {
            Interlocked.Decrement(ref _admitted);
            throw new SignInBusyException(
                $"sign-in is busy: {_concurrent} being checked and {_waiting} waiting on this silo (Alerts:Security:MaxConcurrentSignIns, MaxWaitingSignIns); retry in a moment");
        }

        return new Place(this);
    }

    /// <summary>One admitted sign-in: waiting, then (after <see cref="TurnAsync"/>) being checked.</summary>
    public sealed class Place : IDisposable
    {
        private readonly SignInLimit _limit;
        private int _turn;
        private int _left;

        internal Place(SignInLimit limit) => _limit = limit;

        /// <summary>Waits until this sign-in may check a secret.</summary>
        public async Task TurnAsync()
        {
            await _limit._checking.WaitAsync();
            Volatile.Write(ref _turn, 1);
        }

        /// <summary>Gives up the place, and the turn when it had one; once, however often it is called.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) != 0) return;
            // The place first, then the check: a sign-in arriving in between is admitted to wait, not refused.
            Interlocked.Decrement(ref _limit._admitted);
            if (Volatile.Read(ref _turn) == 1) _limit._checking.Release();
        }
    }
}
