using System.Runtime.ExceptionServices;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// Dispatch: walks the cover of the circle nearest cells first (the push provider's quota makes order matter), a few
/// cell grains (blocks of cells) per step: each returns its residents inside the circle, nearest first, and the step's
/// new ones, merged nearest first, are recorded as recipients and written to the push outbox in the same transactions,
/// so a step repeated after a crash pushes nobody twice. Progress is durable and counted in cells; the grain calls
/// itself between steps so admins' calls interleave. Late arrivals are gathered into full batches.
/// </summary>
public sealed partial class CaseGrain
{
    private CoveredCell[]? _cover;
    private CoveredBlock[]? _blocks;
    // True while a ContinueDispatch of this activation is queued or running: Resume must not start a second chain.
    private bool _stepping;
    // True when this activation found the case already dispatching or active (its silo failed or restarted).
    private bool _recovering;
    private IGrainTimer? _retry;
    private int _coverGeneration = -1;
    // Late arrivals not yet recorded, oldest first, with when each reached the case; the set keeps a user in once.
    // In memory only: a crash loses them, and the recovery sweep of a fresh activation (Resume) finds them again.
    private readonly List<(long UserId, DateTimeOffset ArrivedAt)> _late = [];
    private readonly HashSet<long> _lateIds = [];
    private IGrainTimer? _lateTimer;

    public async Task LateArrivals(List<long> userIds)
    {
        if (!IsActive || time.GetUtcNow() >= S.ActiveUntil) return;
        var now = time.GetUtcNow();
        List<long> fresh;
        try
        {
            // Most reports are of users already pushed who move within the circle: leaving them out here is what
            // fills the batches with users who still need the alert. (Recording checks again, in its transaction.)
            fresh = await store.NotYetRecordedAsync(CaseId, userIds);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Case {Case}: could not check {Count} late arrivals against the recipients; gathering them all", CaseId, userIds.Count);
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
            logger.LogWarning(e, "Case {Case}: recording {Count} late arrivals failed; retrying in {Delay}", CaseId, _late.Count, _options.DispatchRetryDelay);
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
        var blocks = Blocks();
        var (first, cellsBefore) = FirstBlockNotDone(blocks, S.CellsDone);
        var step = blocks.Skip(first).Take(_options.CellsPerDispatchStep).ToArray();
        var activeCase = ActiveCase();
        try
        {
            var collected = await Task.WhenAll(step.Select(b => GrainFactory.GetCell(b.Block).Collect(activeCase)));
            // Nearest first across the step's blocks, each user once (one who moved between blocks while they were
            // collected is in two lists, and two recordings at once must never wait on each other's rows).
            await RecordInTransactionsAsync(OncePerUser(CollectedResidents.Merge(collected)));
            S.CellsDone = cellsBefore + step.Sum(b => b.Cells);
            if (S.CellsDone >= S.CellsTotal) S.Status = CaseStatus.Active;
            // Unwritten, the step is repeated (harmlessly: its users are recorded) from the progress that was.
            await SaveAsync(() => (S.CellsDone, S.Status) = (cellsBefore, CaseStatus.Dispatching));
        }
        catch (Exception e)
        {
            // A cell grain on a silo that just failed, or storage briefly gone: the step is repeated (harmlessly) shortly.
            logger.LogWarning(e, "Case {Case}: dispatch step at cell {Done} failed; retrying in {Delay}", CaseId, S.CellsDone, _options.DispatchRetryDelay);
            RetryLater(generation);
            return;
        }

        if (S.Status == CaseStatus.Dispatching)
        {
            await StepAsync(generation);
            return;
        }

        await RegisterAsync();
        logger.LogInformation("Case {Case} dispatched: {Cells} cells, {Recipients} recipients, {Suppressed} suppressed", CaseId, S.CellsTotal, S.Recipients, S.Suppressed);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _recovering = IsActive;
        logger.LogInformation("Case {Case} active on {Silo} ({Status})", CaseId, this.RuntimeIdentity, S.Status);
        // Audit rows the last activation saved but did not write (its silo died, or storage failed until it went), first:
        // those it did write are written once, by their keys.
        if (S.OwedAudit.Count > 0) await WriteOwedRecordsAsync();
        if (_recovering)
        {
            // The step in flight when the last activation died may have recorded users its saved counts lack.
            await ReadableStorageErrors.DuringActivation(async () =>
            {
                S.Recipients = await store.CountRecipientsAsync(CaseId);
                S.Suppressed = await store.CountSuppressedAsync(CaseId);
            }, "counting the recipients", this.GetGrainId());
        }

        // An interrupted dispatch, end or notice goes on as soon as anything wakes the case, whoever calls first.
        if (S.Status == CaseStatus.Dispatching && time.GetUtcNow() < S.ActiveUntil)
        {
            // Arrivals gathered in memory for cells this pass had collected died with the last activation: the pass starts
            // over, and the recipients table keeps everyone already pushed out of it.
            S.CellsDone = 0;
            await StepAsync(S.Generation);
        }

        if (S.Ending) RetryEndingLater(TimeSpan.Zero);
        if (S.Notices.Count > 0) await StartNoticesAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await WriteOwedRecordsAtDeactivationAsync();
        if (_late.Count == 0 || !IsActive) return;
        try
        {
            await RecordLateArrivalsAsync(fullBatchesOnly: false);
        }
        catch (Exception e)
        {
            // The users are still inside: their next report brings them here again, and so does a recovery sweep.
            logger.LogWarning(e, "Case {Case}: {Count} late arrivals were not recorded as the case deactivated ({Reason})", CaseId, _late.Count, reason);
        }
    }

    public async Task Resume()
    {
        var recovering = _recovering;
        _recovering = false;
        await FinishEndingAsync();
        if (S.Notices.Count > 0) await StartNoticesAsync();
        if (!IsActive) return;
        if (time.GetUtcNow() >= S.ActiveUntil)
        {
            await ExpireAsync();
            return;
        }

        if (S.Status == CaseStatus.Dispatching)
        {
            if (_stepping) return;
            // Pick up where the durable progress says; the step in flight at the crash is repeated harmlessly.
            S.Recipients = await store.CountRecipientsAsync(CaseId);
            await GrainFactory.GetGrain<IActiveCasesGrain>(0).Register(ActiveCase());
            await SaveAsync();
            await StepAsync(S.Generation);
        }
        else if (recovering)
        {
            try
            {
                S.Recipients = await store.CountRecipientsAsync(CaseId);
                // A late arrival reported just before a crash may have been lost: sweep the cells again.
                await StartPassAsync();
            }
            catch
            {
                // Not swept: the next Resume (recovery's next pass) must still sweep.
                _recovering = true;
                throw;
            }
        }
    }

    private ICaseDispatchGrain Self => this.AsReference<ICaseDispatchGrain>();

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

    // Before approval the radius is just saved; a live case starts a new pass over the wider cover, and the recipients
    // table keeps everyone already pushed out of it. Unwritten, the radius is the old one again, and so is what the
    // caller changed (undoIfUnwritten).
    private async Task<CaseProgress> WidenToAsync(double radiusMeters, Action? undoIfUnwritten = null, AuditedAction? audited = null)
    {
        var radiusBefore = S.RadiusMeters;
        S.RadiusMeters = radiusMeters;
        void Unwiden()
        {
            S.RadiusMeters = radiusBefore;
            undoIfUnwritten?.Invoke();
        }

        if (IsActive) return await StartPassAsync(Unwiden, audited);
        await SaveAsync(Unwiden, audited);
        return Progress();
    }

    // Unwritten, the pass never started: the case is as it was (with what the caller changed put back by
    // undoIfUnwritten), so the approval or widening can simply be made again.
    private async Task<CaseProgress> StartPassAsync(Action? undoIfUnwritten = null, AuditedAction? audited = null)
    {
        var pass = (S.Generation, S.Status, S.CellsDone, S.CellsTotal);
        S.Generation++;
        S.Status = CaseStatus.Dispatching;
        S.CellsDone = 0;
        S.CellsTotal = Cover().Length;
        await SaveAsync(() =>
        {
            (S.Generation, S.Status, S.CellsDone, S.CellsTotal) = pass;
            undoIfUnwritten?.Invoke();
        }, audited);
        await RegisterAsync();
        await StepAsync(S.Generation);
        return Progress();
    }

    // The registry tells cells that activate later which cases cover them. A failure must not stop the pass that was
    // just saved: it is logged, and the registration made again when the pass ends.
    private async Task RegisterAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IActiveCasesGrain>(0).Register(ActiveCase());
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Case {Case}: registering it for cells that activate later failed; registered again when this pass ends", CaseId);
        }
    }

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
            logger.LogWarning(e, "Case {Case}: recording {Count} late arrivals failed; retrying in {Delay}", CaseId, _late.Count, _options.DispatchRetryDelay);
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

    private async Task RecordAsync(IReadOnlyList<long> candidates)
    {
        if (candidates.Count == 0) return;
        await HandOutAsync(await RecordRecipientsAsync(candidates, after: null));
    }

    // Transactions of bounded size (a block may hold a city), as many at once as the engine writes in parallel: the
    // database's inserts are most of a big dispatch. Each takes its batch ids after the one before it has ended, and
    // their batches are handed out in that order, so pushes still go out nearest first. A failed transaction fails
    // the step only once the others are handed out: their users are recorded, and a repeated step skips them.
    private async Task RecordInTransactionsAsync(List<long> candidates)
    {
        var inFlight = new Queue<Task<RecordedUsers>>();
        Exception? failure = null;
        Task previous = Task.CompletedTask;
        foreach (var chunk in candidates.Chunk(_options.RecipientsPerTransaction))
        {
            if (inFlight.Count >= store.ParallelWrites)
            {
                failure = await HandOutNextAsync(inFlight);
                if (failure is not null) break;
            }

            var recording = RecordRecipientsAsync(chunk, previous);
            inFlight.Enqueue(recording);
            previous = recording;
        }

        while (inFlight.Count > 0)
        {
            var error = await HandOutNextAsync(inFlight);
            failure ??= error;
        }

        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
    }

    private async Task<Exception?> HandOutNextAsync(Queue<Task<RecordedUsers>> inFlight)
    {
        try
        {
            await HandOutAsync(await inFlight.Dequeue());
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private Task<RecordedUsers> RecordRecipientsAsync(IReadOnlyList<long> candidates, Task? after)
    {
        var payload = CasePayloads.Alert(CaseId, S.Definition!, S.CurrentMessage);
        var rules = new RecordingRules(S.Definition!.Exercise, _options.MaxAlertsPerUserPerDay, HasSuppressed: S.Suppressed > 0);
        return store.RecordRecipientsAsync(CaseId, payload, candidates, _options.PushBatchSize, RecordingTime(), rules, after);
    }

    // Counted before the hand-over: the batches are in the outbox, and the hub's sweep sends them if Enqueue fails.
    private async Task HandOutAsync(RecordedUsers recorded)
    {
        S.Suppressed += recorded.Suppressed;
        if (recorded.Batches.Count == 0) return;
        S.Recipients += recorded.Batches.Sum(b => b.UserIds.Count);
        await GrainFactory.GetGrain<IPushOutboxGrain>(0).Enqueue(recorded.Batches);
    }

    // The first (nearest) place of each user.
    private static List<long> OncePerUser(List<long> userIds)
    {
        var seen = new HashSet<long>(userIds.Count);
        var once = new List<long>(userIds.Count);
        foreach (var userId in userIds)
            if (seen.Add(userId)) once.Add(userId);
        return once;
    }

    // Users recorded after a notice are stamped after the time it covers, even if this silo's clock lags the last one's:
    // they get the current message, and the notice does not reach them a second time.
    private DateTimeOffset RecordingTime()
    {
        var now = time.GetUtcNow();
        var afterNotice = S.LastNoticeAt + TimeSpan.FromMilliseconds(1);
        return S.Notices.Count > 0 && afterNotice > now ? afterNotice : now;
    }

    private CoveredCell[] Cover()
    {
        if (_cover is null || _coverGeneration != S.Generation)
        {
            var d = S.Definition!;
            _cover = CircleCover.Compute(GeoCircle.Create(d.Latitude, d.Longitude, S.RadiusMeters), _options.CellPrecision);
            _blocks = CoveredBlock.Group(_cover, _options.BlockPrecision);
            _coverGeneration = S.Generation;
        }

        return _cover;
    }

    // The cell grains of the cover, nearest first.
    private CoveredBlock[] Blocks()
    {
        Cover();
        return _blocks!;
    }

    // Where the durable progress (cells done) says to go on: after the blocks whose cells it counts in full. A count
    // that ends inside a block (saved under other settings) repeats that block, which records nobody twice.
    private static (int Block, int CellsBefore) FirstBlockNotDone(CoveredBlock[] blocks, int cellsDone)
    {
        var (block, cells) = (0, 0);
        while (block < blocks.Length && cells + blocks[block].Cells <= cellsDone) cells += blocks[block++].Cells;
        return (block, cells);
    }
}
