using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>
/// Plays a city of devices against the cluster through the gateway library: loads every resident's
/// position, then moves a share of them now and then, while it receives and counts the pushes and reports
/// what the residents do with each alert (<see cref="DeviceBehaviour"/>, through <see cref="EngagementReporter"/>).
/// Deterministic for a seed: the same residents land in the same places and make the same choices.
/// </summary>
public sealed class CitySimulation(SimulationSettings settings, PopulationPlan plan)
{
    private readonly PushTally _tally = new();
    private readonly DeviceBehaviour _behaviour = new(settings);
    private readonly EngagementReporter _engagement = new(new DeviceBehaviour(settings));
    private double[] _latitudes = [];
    private double[] _longitudes = [];
    private long _moves;
    private long _rejected;

    /// <summary>The pushes received so far.</summary>
    public PushTally Tally => _tally;

    /// <summary>Connects as a gateway whose app side counts the pushes and queues the residents' engagement with each alert (reported apart, so acknowledgements never wait for it).</summary>
    public Task<GatewayConnection> ConnectAsync(AlertsClientOptions client, CancellationToken cancellationToken) =>
        GatewayConnection.ConnectAsync(new GatewayConnectionOptions { Cluster = client, Name = settings.GatewayName }, (batch, _) =>
        {
            _tally.Add(batch);
            if (batch.Payload.Kind == NoticeKind.Alert)
            {
                var events = new List<EngagementEvent>(batch.UserIds.Count + batch.UserIds.Count / 2);
                _behaviour.React(batch, DateTimeOffset.UtcNow, Position, events);
                _engagement.Add(events);
            }

            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>Reports the queued engagement every half second or 5,000 events until <paramref name="stop"/>; then call <see cref="DrainEngagementAsync"/>.</summary>
    public Task ReportEngagementAsync(GatewayConnection gateway, CancellationToken stop) => _engagement.RunAsync(gateway, stop);

    /// <summary>Reports whatever engagement is still queued (and what the last shares bring), within <paramref name="timeout"/>.</summary>
    public Task DrainEngagementAsync(GatewayConnection gateway, TimeSpan timeout) => _engagement.DrainAsync(gateway, timeout);

    /// <summary>Places every resident and reports them in batches, several in flight; <paramref name="progress"/> gets the count loaded.</summary>
    public async Task<TimeSpan> LoadAsync(GatewayConnection gateway, Action<int> progress, CancellationToken cancellationToken)
    {
        var random = new Random(settings.Seed);
        _latitudes = new double[settings.Population];
        _longitudes = new double[settings.Population];
        plan.Place(random, _latitudes, _longitudes);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var loaded = 0;
        var now = DateTimeOffset.UtcNow;
        var chunks = Enumerable.Range(0, (settings.Population + settings.ReportSize - 1) / settings.ReportSize);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = settings.ReportsInFlight, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var from = chunk * settings.ReportSize;
            var to = Math.Min(settings.Population, from + settings.ReportSize);
            var updates = new List<LocationUpdate>(to - from);
            for (var i = from; i < to; i++) updates.Add(new LocationUpdate(settings.FirstUserId + i, _latitudes[i], _longitudes[i], now));
            var result = await gateway.ReportAsync(updates, ct);
            Interlocked.Add(ref _rejected, result.Rejected);
            progress(Interlocked.Add(ref loaded, updates.Count));
        });
        return started.Elapsed;
    }

    /// <summary>Every <see cref="SimulationSettings.MoveEvery"/>, moves a share of the residents a little and reports them, until cancelled or the duration ends.</summary>
    public async Task MoveAsync(GatewayConnection gateway, CancellationToken cancellationToken)
    {
        var random = new Random(settings.Seed + 1);
        var movers = (int)Math.Round(settings.Population * settings.MovingShare);
        if (movers == 0) return;
        using var timer = new PeriodicTimer(settings.MoveEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = DateTimeOffset.UtcNow;
                var updates = new List<LocationUpdate>(movers);
                for (var n = 0; n < movers; n++)
                {
                    var i = random.Next(settings.Population);
                    (_latitudes[i], _longitudes[i]) = plan.Move(random, _latitudes[i], _longitudes[i], settings.MoveMeters);
                    updates.Add(new LocationUpdate(settings.FirstUserId + i, _latitudes[i], _longitudes[i], now));
                }

                try
                {
                    var result = await gateway.ReportAsync(updates, cancellationToken);
                    Interlocked.Add(ref _moves, result.Applied);
                    Interlocked.Add(ref _rejected, result.Rejected);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The cluster is restarting: these moves are lost like a phone's fix on a dead network; the next round goes on.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The summary so far.</summary>
    public SimulationSummary Summary(GatewayConnection gateway, TimeSpan loadTime) => new(
        settings.Region.Description,
        plan.Places.Count,
        settings.Population,
        Math.Round(loadTime.TotalSeconds, 1),
        Math.Round(settings.Population / Math.Max(loadTime.TotalSeconds, 0.001)),
        Interlocked.Read(ref _moves),
        Interlocked.Read(ref _rejected),
        gateway.Counters.DuplicatesDropped,
        gateway.Counters.Resubscriptions,
        _tally.Snapshot(),
        _engagement.Snapshot());

    // Where a resident is now; pushes can come in while the residents load, before their places are drawn.
    private (double Latitude, double Longitude)? Position(long userId)
    {
        var (latitudes, longitudes) = (_latitudes, _longitudes);
        var i = userId - settings.FirstUserId;
        return i >= 0 && i < latitudes.Length && i < longitudes.Length ? (latitudes[i], longitudes[i]) : null;
    }
}
