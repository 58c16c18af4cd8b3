using Microsoft.Extensions.DependencyInjection;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;

namespace Alerts.Grains;

/// <summary>
/// A missing-child case. Dispatch walks the cover of the circle nearest cells first (the push
/// provider's quota makes order matter), a few cells per step: each cell returns its residents inside
/// the circle, and the new ones are recorded as recipients and written to the push outbox in one
/// transaction, so a step repeated after a crash pushes nobody twice. Progress is durable; the grain
/// calls itself between steps so admins' calls interleave.
/// </summary>
public sealed class CaseGrain(
    [PersistentState("case", StorageNames.Alerts)] IPersistentState<CaseState> state,
    CaseStore store,
    IOptions<AlertsOptions> options,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<CaseGrain> logger) : Grain, ICaseGrain, ICaseDispatchGrain, IRemindable
{
    private const string ExpiryReminder = "expire";
    // Reminders fire at least once but not to the millisecond, and a tick missed while no silo held the case is
    // skipped: checking every minute after the due time bounds how late a case can expire.
    private static readonly TimeSpan ExpiryCheckPeriod = TimeSpan.FromMinutes(1);

    /// <summary>How long a watcher stays subscribed without watching again.</summary>
    public static readonly TimeSpan WatchLease = TimeSpan.FromMinutes(5);
    private readonly AlertsOptions _options = options.Value;
    private readonly ObserverManager<ICaseObserver> _watchers = new(WatchLease, logger);
    private CoveredCell[]? _cover;
    // True while a ContinueDispatch of this activation is queued or running: Resume must not start a second chain.
    private bool _stepping;
    // True when this activation found the case already dispatching or dispatched (its silo failed or restarted).
    private bool _recovering;
    private IGrainTimer? _retry;
    private int _coverGeneration = -1;
    // Late arrivals not yet recorded, oldest first, with when each reached the case; the set keeps a user in once.
    // In memory only: a crash loses them, and the recovery sweep of a fresh activation (Resume) finds them again.
    private readonly List<(long UserId, DateTimeOffset ArrivedAt)> _late = [];
    private readonly HashSet<long> _lateIds = [];
    private IGrainTimer? _lateTimer;

    private CaseState S => state.State;

    public async Task<CaseProgress> Open(CaseDefinition definition)
    {
        if (S.Status != CaseStatus.None) throw new InvalidOperationException($"case {this.GetPrimaryKeyString()} already exists ({S.Status})");
        var (circle, _) = CaseDefinitionRules.Validate(this.GetPrimaryKeyString(), definition, _options);
        S.Definition = definition;
        S.RadiusMeters = circle.RadiusMeters;
        S.Status = CaseStatus.Open;
        S.OpenedAt = time.GetUtcNow();
        await SaveAsync();
        return Progress();
    }

    public async Task<CaseProgress> Dispatch()
    {
        if (S.Status is CaseStatus.Dispatching or CaseStatus.Dispatched) return Progress();
        ThrowIfMissing();
        if (S.Status != CaseStatus.Open) throw new InvalidOperationException($"case {this.GetPrimaryKeyString()} cannot be dispatched: it is {S.Status}");
        S.ActiveUntil = time.GetUtcNow() + _options.CaseActiveFor;
        await this.RegisterOrUpdateReminder(ExpiryReminder, _options.CaseActiveFor, ExpiryCheckPeriod);
        return await StartPassAsync();
    }

    public async Task<CaseProgress> Widen(double radiusMeters)
    {
        ThrowIfMissing();
        if (S.Status is not (CaseStatus.Open or CaseStatus.Dispatching or CaseStatus.Dispatched))
            throw new InvalidOperationException($"case {this.GetPrimaryKeyString()} cannot be widened: it is {S.Status}");
        if (GeoValidation.CheckRadius(radiusMeters, _options.MaxRadiusMeters) is { } error) throw CaseDefinitionRules.Portable(error);
        if (radiusMeters <= S.RadiusMeters)
            throw new ArgumentException($"radiusMeters {radiusMeters} must be larger than the current {S.RadiusMeters}", nameof(radiusMeters));
        S.RadiusMeters = radiusMeters;
        if (S.Status == CaseStatus.Open)
        {
            await SaveAsync();
            return Progress();
        }

        // A new pass over the wider cover: the recipients table keeps everyone already pushed out.
        return await StartPassAsync();
    }

    public async Task<CaseProgress> Close(CaseStatus outcome)
    {
        if (outcome is not (CaseStatus.Resolved or CaseStatus.Cancelled or CaseStatus.Expired))
            throw new ArgumentException($"outcome {outcome} is invalid: use Resolved or Cancelled", nameof(outcome));
        ThrowIfMissing();
        if (S.Status is CaseStatus.Resolved or CaseStatus.Cancelled or CaseStatus.Expired) return Progress();
        var wasActive = S.Status is CaseStatus.Dispatching or CaseStatus.Dispatched;
        // Users who arrived while the case was active still get its alert: what was gathered is recorded (and handed
        // to the push hub) before the status changes; after it nothing more is recorded. A failure here fails the
        // close, which the admin (or the expiry reminder) repeats.
        if (wasActive) await RecordLateArrivalsAsync(fullBatchesOnly: false);
        ForgetLateArrivals();
        S.Status = outcome;
        S.Generation++;
        await SaveAsync();
        if (wasActive)
        {
            await GrainFactory.GetGrain<IActiveCasesGrain>(0).Unregister(this.GetPrimaryKeyString());
            foreach (var chunk in Cover().Chunk(64))
                await Task.WhenAll(chunk.Select(c => GrainFactory.GetCell(c.Cell).EndCase(this.GetPrimaryKeyString())));
            if (await this.GetReminder(ExpiryReminder) is { } reminder) await this.UnregisterReminder(reminder);
        }

        return Progress();
    }

    public Task<CaseProgress> GetProgress() => Task.FromResult(Progress());

    public async Task<TimeSpan> Watch(ICaseObserver observer)
    {
        if (observer is null) throw new ArgumentException("observer is missing", nameof(observer));
        _watchers.Subscribe(observer, observer);
        await observer.ProgressChanged(Progress());
        return WatchLease;
    }

    public async Task LateArrivals(List<long> userIds)
    {
        if (!IsActive || time.GetUtcNow() >= S.ActiveUntil) return;
        var now = time.GetUtcNow();
        List<long> fresh;
        try
        {
            // Most reports are of users already pushed who move within the circle: leaving them out here is what
            // fills the batches with users who still need the alert. (Recording checks again, in its transaction.)
            fresh = await store.NotYetRecordedAsync(this.GetPrimaryKeyString(), userIds);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Case {Case}: could not check {Count} late arrivals against the recipients; gathering them all", this.GetPrimaryKeyString(), userIds.Count);
            fresh = userIds;
        }

        foreach (var userId in fresh)
            if (_lateIds.Add(userId)) _late.Add((userId, now));
        try
        {
            if (_late.Count >= _options.PushBatchSize) await RecordLateArrivalsAsync(fullBatchesOnly: true);
            if (_late.Count > 0 && now - _late[0].ArrivedAt >= _options.LateArrivalMaxWait) await RecordLateArrivalsAsync(fullBatchesOnly: false);
        }
        catch (Exception e)
        {
            // One-way call: nobody waits for an answer. The arrivals stay gathered and the timer tries again.
            logger.LogWarning(e, "Case {Case}: recording {Count} late arrivals failed; retrying in {Delay}", this.GetPrimaryKeyString(), _late.Count, _options.DispatchRetryDelay);
            ArmLateTimer(_options.DispatchRetryDelay);
            return;
        }

        ScheduleLateArrivals();
    }

    public Task<List<long>> PendingLateArrivals() => Task.FromResult(_late.Select(a => a.UserId).ToList());

    public async Task ContinueDispatch(int generation)
    {
        _stepping = false;
        if (generation != S.Generation || S.Status != CaseStatus.Dispatching) return;
        var cover = Cover();
        var step = cover.Skip(S.CellsDone).Take(_options.CellsPerDispatchStep).ToArray();
        var activeCase = ActiveCase();
        try
        {
            var collected = await Task.WhenAll(step.Select(c => GrainFactory.GetCell(c.Cell).Collect(activeCase)));
            // Results in cover order: nearest cells first, and nearest residents first within a cell.
            await RecordAsync(collected.SelectMany(ids => ids).ToList());
            S.CellsDone += step.Length;
            if (S.CellsDone >= S.CellsTotal) S.Status = CaseStatus.Dispatched;
            await SaveAsync();
        }
        catch (Exception e)
        {
            // A cell on a silo that just failed, or storage briefly gone: the step is repeated (harmlessly) shortly.
            logger.LogWarning(e, "Case {Case}: dispatch step at cell {Done} failed; retrying in {Delay}", this.GetPrimaryKeyString(), S.CellsDone, _options.DispatchRetryDelay);
            RetryLater(generation);
            return;
        }

        if (S.Status == CaseStatus.Dispatching) await StepAsync(generation);
        else logger.LogInformation("Case {Case} dispatched: {Cells} cells, {Recipients} recipients", this.GetPrimaryKeyString(), S.CellsTotal, S.Recipients);
    }

    private async Task StepAsync(int generation)
    {
        _stepping = true;
        await Self.ContinueDispatch(generation);
    }

    private void RetryLater(int generation)
    {
        _retry?.Dispose();
        _stepping = true;
        _retry = this.RegisterGrainTimer(async _ =>
        {
            _retry?.Dispose();
            _retry = null;
            await ContinueDispatch(generation);
        }, _options.DispatchRetryDelay, Timeout.InfiniteTimeSpan);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_late.Count == 0 || !IsActive) return;
        try
        {
            await RecordLateArrivalsAsync(fullBatchesOnly: false);
        }
        catch (Exception e)
        {
            // The users are still inside: their next report brings them here again, and so does a recovery sweep.
            logger.LogWarning(e, "Case {Case}: {Count} late arrivals were not recorded as the case deactivated ({Reason})", this.GetPrimaryKeyString(), _late.Count, reason);
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _recovering = S.Status is CaseStatus.Dispatching or CaseStatus.Dispatched;
        logger.LogInformation("Case {Case} active on {Silo} ({Status})", this.GetPrimaryKeyString(), this.RuntimeIdentity, S.Status);
        // The step in flight when the last activation died may have recorded recipients its saved count lacks.
        if (_recovering) S.Recipients = await store.CountRecipientsAsync(this.GetPrimaryKeyString());
        // An interrupted dispatch goes on as soon as anything wakes the case, whoever calls first.
        if (S.Status == CaseStatus.Dispatching && time.GetUtcNow() < S.ActiveUntil) await StepAsync(S.Generation);
    }

    public async Task Resume()
    {
        var recovering = _recovering;
        _recovering = false;
        if (S.Status is not (CaseStatus.Dispatching or CaseStatus.Dispatched)) return;
        if (time.GetUtcNow() >= S.ActiveUntil)
        {
            await Close(CaseStatus.Expired);
            return;
        }

        if (S.Status == CaseStatus.Dispatching)
        {
            if (_stepping) return;
            // Pick up where the durable progress says; the step in flight at the crash is repeated harmlessly.
            S.Recipients = await store.CountRecipientsAsync(this.GetPrimaryKeyString());
            await GrainFactory.GetGrain<IActiveCasesGrain>(0).Register(ActiveCase());
            await SaveAsync();
            await StepAsync(S.Generation);
        }
        else if (recovering)
        {
            S.Recipients = await store.CountRecipientsAsync(this.GetPrimaryKeyString());
            // A late arrival reported just before a crash may have been lost: sweep the cells again.
            await StartPassAsync();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ExpiryReminder && time.GetUtcNow() >= S.ActiveUntil) await Close(CaseStatus.Expired);
    }

    // A case nobody filed is "not found", not "in the wrong state": consoles and scripts tell the two apart.
    private void ThrowIfMissing()
    {
        if (S.Status is CaseStatus.None) throw new KeyNotFoundException($"no case named {this.GetPrimaryKeyString()}");
    }

    private ICaseDispatchGrain Self => this.AsReference<ICaseDispatchGrain>();

    private async Task<CaseProgress> StartPassAsync()
    {
        S.Generation++;
        S.Status = CaseStatus.Dispatching;
        S.CellsDone = 0;
        S.CellsTotal = Cover().Length;
        await SaveAsync();
        await GrainFactory.GetGrain<IActiveCasesGrain>(0).Register(ActiveCase());
        await StepAsync(S.Generation);
        return Progress();
    }

    private bool IsActive => S.Status is CaseStatus.Dispatching or CaseStatus.Dispatched;

    // Records the gathered late arrivals (all, or as many as fill whole batches, oldest first); they leave the
    // buffer only once recorded, so a failure keeps them for the next try.
    private async Task RecordLateArrivalsAsync(bool fullBatchesOnly)
    {
        var take = fullBatchesOnly ? _late.Count / _options.PushBatchSize * _options.PushBatchSize : _late.Count;
        if (take == 0) return;
        var userIds = _late.Take(take).Select(a => a.UserId).ToList();
        await RecordAsync(userIds);
        await SaveAsync();
        _late.RemoveRange(0, take);
        _lateIds.ExceptWith(userIds);
    }

    // The timer is due when the oldest gathered arrival has waited LateArrivalMaxWait; none is needed for an empty buffer.
    private void ScheduleLateArrivals()
    {
        if (_late.Count == 0)
        {
            _lateTimer?.Dispose();
            _lateTimer = null;
            return;
        }

        var due = _late[0].ArrivedAt + _options.LateArrivalMaxWait - time.GetUtcNow();
        ArmLateTimer(due > TimeSpan.Zero ? due : TimeSpan.Zero);
    }

    private void ArmLateTimer(TimeSpan due)
    {
        if (_lateTimer is null) _lateTimer = this.RegisterGrainTimer(_ => OnLateArrivalsDueAsync(), due, Timeout.InfiniteTimeSpan);
        else _lateTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private async Task OnLateArrivalsDueAsync()
    {
        if (!IsActive)
        {
            ForgetLateArrivals();
            return;
        }

        try
        {
            await RecordLateArrivalsAsync(fullBatchesOnly: false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Case {Case}: recording {Count} late arrivals failed; retrying in {Delay}", this.GetPrimaryKeyString(), _late.Count, _options.DispatchRetryDelay);
            ArmLateTimer(_options.DispatchRetryDelay);
            return;
        }

        ScheduleLateArrivals();
    }

    private void ForgetLateArrivals()
    {
        _late.Clear();
        _lateIds.Clear();
        _lateTimer?.Dispose();
        _lateTimer = null;
    }

    private async Task RecordAsync(List<long> candidates)
    {
        if (candidates.Count == 0) return;
        var payload = new AlertPayload(this.GetPrimaryKeyString(), S.Definition!.Message, S.Definition.Link);
        var batches = await store.RecordRecipientsAsync(this.GetPrimaryKeyString(), payload, candidates, _options.PushBatchSize, time.GetUtcNow());
        if (batches.Count == 0) return;
        S.Recipients += batches.Sum(b => b.UserIds.Count);
        await GrainFactory.GetGrain<IPushOutboxGrain>(0).Enqueue(batches);
    }

    private CoveredCell[] Cover()
    {
        if (_cover is null || _coverGeneration != S.Generation)
        {
            var d = S.Definition!;
            _cover = CircleCover.Compute(GeoCircle.Create(d.Latitude, d.Longitude, S.RadiusMeters), _options.CellPrecision);
            _coverGeneration = S.Generation;
        }

        return _cover;
    }

    private ActiveCase ActiveCase() => new(this.GetPrimaryKeyString(), S.Definition!.Latitude, S.Definition.Longitude, S.RadiusMeters, S.ActiveUntil);

    private CaseProgress Progress() => new(this.GetPrimaryKeyString(), S.Status, S.RadiusMeters, S.CellsDone, S.CellsTotal, S.Recipients);

    private async Task SaveAsync()
    {
        await state.WriteStateAsync();
        await store.SetCaseStatusAsync(this.GetPrimaryKeyString(), S.Status, time.GetUtcNow());
        await NotifyWatchersAsync();
    }

    private Task NotifyWatchersAsync()
    {
        // One-way calls: a watcher that went away simply lapses when its lease ends.
        var progress = Progress();
        _watchers.ClearExpired();
        _watchers.Notify(w => w.ProgressChanged(progress));
        return Task.CompletedTask;
    }
}
