using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// A missing-child case. Dispatch walks the cover of the circle nearest cells first (the push
/// provider's quota makes order matter), a few cells per step: each cell returns its residents inside
/// the circle, and the new ones are recorded as recipients and written to the push outbox in one
/// transaction, so a step repeated after a crash pushes nobody twice. Progress is durable; the grain
/// calls itself between steps so admins' calls interleave.
/// </summary>
public sealed class CaseGrain(
    [PersistentState("case")] IPersistentState<CaseState> state,
    AlertsStore store,
    IOptions<AlertsOptions> options,
    TimeProvider time,
    ILogger<CaseGrain> logger) : Grain, ICaseGrain
{
    private const string ExpiryReminder = "expire";
    private readonly AlertsOptions _options = options.Value;
    private readonly List<ICaseObserver> _watchers = [];
    private CoveredCell[]? _cover;
    private int _coverGeneration = -1;

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
        if (S.Status != CaseStatus.Open) throw new InvalidOperationException($"case {this.GetPrimaryKeyString()} cannot be dispatched: it is {S.Status}");
        S.ActiveUntil = time.GetUtcNow() + _options.CaseActiveFor;
        await RegisterOrUpdateReminder(ExpiryReminder, _options.CaseActiveFor, _options.CaseActiveFor);
        return await StartPassAsync();
    }

    public async Task<CaseProgress> Widen(double radiusMeters)
    {
        if (S.Status is not (CaseStatus.Open or CaseStatus.Dispatching or CaseStatus.Dispatched))
            throw new InvalidOperationException($"case {this.GetPrimaryKeyString()} cannot be widened: it is {S.Status}");
        if (GeoValidation.CheckRadius(radiusMeters, _options.MaxRadiusMeters) is { } error) throw error;
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
        if (S.Status is CaseStatus.None) throw new InvalidOperationException($"case {this.GetPrimaryKeyString()} does not exist");
        if (S.Status is CaseStatus.Resolved or CaseStatus.Cancelled or CaseStatus.Expired) return Progress();
        var wasActive = S.Status is CaseStatus.Dispatching or CaseStatus.Dispatched;
        S.Status = outcome;
        S.Generation++;
        await SaveAsync();
        if (wasActive)
        {
            await GrainFactory.GetGrain<IActiveCasesGrain>(0).Unregister(this.GetPrimaryKeyString());
            foreach (var chunk in Cover().Chunk(64))
                await Task.WhenAll(chunk.Select(c => GrainFactory.GetGrain<ICellGrain>(c.Cell.ToString()).EndCase(this.GetPrimaryKeyString())));
            await UnregisterReminder(ExpiryReminder);
        }

        return Progress();
    }

    public Task<CaseProgress> GetProgress() => Task.FromResult(Progress());

    public async Task Watch(ICaseObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _watchers.Add(observer);
        await observer.ProgressChanged(Progress());
    }

    public async Task LateArrivals(List<long> userIds)
    {
        if (S.Status is not (CaseStatus.Dispatching or CaseStatus.Dispatched) || time.GetUtcNow() >= S.ActiveUntil) return;
        await RecordAsync(userIds);
        await SaveAsync();
    }

    public async Task ContinueDispatch(int generation)
    {
        if (generation != S.Generation || S.Status != CaseStatus.Dispatching) return;
        var cover = Cover();
        var step = cover.Skip(S.CellsDone).Take(_options.CellsPerDispatchStep).ToArray();
        var activeCase = ActiveCase();
        var collected = await Task.WhenAll(step.Select(c => GrainFactory.GetGrain<ICellGrain>(c.Cell.ToString()).Collect(activeCase)));
        // Results in cover order: nearest cells first, and nearest residents first within a cell.
        await RecordAsync(collected.SelectMany(ids => ids).ToList());
        S.CellsDone += step.Length;
        if (S.CellsDone >= S.CellsTotal) S.Status = CaseStatus.Dispatched;
        await SaveAsync();
        if (S.Status == CaseStatus.Dispatching) await Self.ContinueDispatch(generation);
        else logger.LogInformation("Case {Case} dispatched: {Cells} cells, {Recipients} recipients", this.GetPrimaryKeyString(), S.CellsTotal, S.Recipients);
    }

    public async Task Resume()
    {
        if (S.Status is not (CaseStatus.Dispatching or CaseStatus.Dispatched)) return;
        if (time.GetUtcNow() >= S.ActiveUntil)
        {
            await Close(CaseStatus.Expired);
            return;
        }

        S.Recipients = await store.CountRecipientsAsync(this.GetPrimaryKeyString());
        if (S.Status == CaseStatus.Dispatching)
        {
            // Pick up where the durable progress says; the step in flight at the crash is repeated harmlessly.
            await GrainFactory.GetGrain<IActiveCasesGrain>(0).Register(ActiveCase());
            await SaveAsync();
            await Self.ContinueDispatch(S.Generation);
        }
        else
        {
            // A late arrival reported just before a crash may have been lost: sweep the cells again.
            await StartPassAsync();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ExpiryReminder && time.GetUtcNow() >= S.ActiveUntil) await Close(CaseStatus.Expired);
    }

    private ICaseGrain Self => GrainFactory.GetGrain<ICaseGrain>(this.GetPrimaryKeyString());

    private async Task<CaseProgress> StartPassAsync()
    {
        S.Generation++;
        S.Status = CaseStatus.Dispatching;
        S.CellsDone = 0;
        S.CellsTotal = Cover().Length;
        await SaveAsync();
        await GrainFactory.GetGrain<IActiveCasesGrain>(0).Register(ActiveCase());
        await Self.ContinueDispatch(S.Generation);
        return Progress();
    }

    private async Task RecordAsync(List<long> candidates)
    {
        if (candidates.Count == 0) return;
        var payload = new AlertPayload(this.GetPrimaryKeyString(), S.Definition!.Message, S.Definition.Link);
        var batches = await store.RecordRecipientsAsync(this.GetPrimaryKeyString(), payload, candidates, _options.PushBatchSize, time.GetUtcNow());
        if (batches.Count == 0) return;
        S.Recipients += batches.Sum(b => b.UserIds.Count);
        await GrainFactory.GetGrain<IPushHubGrain>(0).Enqueue(batches);
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

    private async Task NotifyWatchersAsync()
    {
        var progress = Progress();
        foreach (var watcher in _watchers.ToList())
        {
            try
            {
                await watcher.ProgressChanged(progress);
            }
            catch (Exception e) when (e is ObserverExpiredException or GrainTransportException)
            {
                _watchers.Remove(watcher);
            }
        }
    }
}
