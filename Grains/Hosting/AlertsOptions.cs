using System.Globalization;

namespace Alerts.Grains;

/// <summary>Product settings, bound from the "Alerts" configuration section.</summary>
public sealed class AlertsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Alerts";

    /// <summary>Geohash precision of the cells positions are stored by and circles are covered with (5: about 4.9 km × 4.9 km); fixed once a database holds residents.</summary>
    public int CellPrecision { get; set; } = 5;

    /// <summary>
    /// Geohash precision of the blocks that cell grains stand for: one grain keeps every resident of its block's cells
    /// (3: about 156 km × 156 km, 1,024 cells of precision 5). Coarser blocks mean fewer activations and grain calls
    /// (a 120 km circle is about 9 blocks, not 2,000 cells); finer ones spread a dense metropolis over more grains
    /// and silos. Equal to <see cref="CellPrecision"/> for a grain per cell (at most 6: the directory keeps a block in
    /// 31 bits). Free to change between runs: rows are stored by cell.
    /// </summary>
    public int BlockPrecision { get; set; } = 3;

    /// <summary>Users a dispatch records per transaction: a block's thousands of recipients go out in several.</summary>
    public int RecipientsPerTransaction { get; set; } = 50_000;

    /// <summary>
    /// Number of user directory shards. Each shard calls every block its part of a report touches, so fewer shards mean
    /// fewer grain calls per report (in the comparison bench's population, 8,132 a report of 10,000 with 64 shards,
    /// 5,149 with 8); 8 still spread the directory over up to 8 silos and keep 8 reports' directory work going at once.
    /// </summary>
    public int DirectoryShards { get; set; } = 8;

    /// <summary>Most updates in one Report call.</summary>
    public int MaxUpdatesPerReport { get; set; } = 10_000;

    /// <summary>How often the writer writes position changes nobody waits for (reports wait for theirs: see ResidentWriter).</summary>
    public TimeSpan ResidentFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest MaxPositionAge plus MaxClockSkew: cells keep fix times in a 32-bit window (see FixWindow).</summary>
    public static readonly TimeSpan MaxPositionSpan = TimeSpan.FromDays(24);

    /// <summary>Positions older than this are never alerted and are purged (with <see cref="MaxClockSkew"/>, at most <see cref="MaxPositionSpan"/>).</summary>
    public TimeSpan MaxPositionAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often stale positions are purged from storage.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long position writes may fail before the silo's health says unhealthy (degraded until then): a write that
    /// fails once and succeeds at the next flush, a second later, should not get the silo restarted. 0: unhealthy at once.
    /// </summary>
    public TimeSpan PositionWriteGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A fix this far in the future is rejected (clock skew allowance).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Radius used when a case names none (QQ Alert's 120 km).</summary>
    public double DefaultRadiusMeters { get; set; } = 120_000;

    /// <summary>Largest radius a case may have.</summary>
    public double MaxRadiusMeters { get; set; } = 500_000;

    /// <summary>How long a case accepts late arrivals: the golden 72 hours.</summary>
    public TimeSpan CaseActiveFor { get; set; } = TimeSpan.FromHours(72);

    /// <summary>Longest an approver may extend a case for, from the moment of the extension.</summary>
    public TimeSpan MaxCaseExtension { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Alert fatigue: most live alerts a user gets in a rolling 24 hours (0: no limit). Users over it are held back
    /// from a case and counted as suppressed; drills neither count nor are held back.
    /// </summary>
    public int MaxAlertsPerUserPerDay { get; set; } = 3;

    /// <summary>Users a notice (update, closing message, correction) covers per step.</summary>
    public int NoticeUsersPerStep { get; set; } = 10_000;

    /// <summary>Cell grains (blocks) a case collects per step (concurrently).</summary>
    public int CellsPerDispatchStep { get; set; } = 16;

    /// <summary>
    /// A dispatch step that failed (a cell's silo died, storage blinked) is tried again after this; a directory shard
    /// settles what a failed report left (see UserDirectoryGrain.Settling.cs) as often, while any is left.
    /// </summary>
    public TimeSpan DispatchRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Users per push batch (FCM multicast takes 500).</summary>
    public int PushBatchSize { get; set; } = 500;

    /// <summary>
    /// Longest a late arrival (a user who moves into an active case's circle) waits to be pushed: a case gathers them
    /// into full push batches (the provider's quota counts requests) and records what it has after this at the latest.
    /// </summary>
    public TimeSpan LateArrivalMaxWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Unacknowledged batches a gateway may hold.</summary>
    public int MaxBatchesInFlightPerGateway { get; set; } = 8;

    /// <summary>A gateway that has not subscribed again for this long counts as gone; its batches go to the others.</summary>
    public TimeSpan GatewayLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the push hub looks in the outbox for batches whose hand-over failed (a silo died in between).</summary>
    public TimeSpan OutboxSweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An unacknowledged batch is sent again after this.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        CheckTimes();
        // Named as the setting: the geometry's own check says only "precision", and `migrate` prints it alone.
        if (CellPrecision is < Alerts.Geo.Geohash.MinPrecision or > Alerts.Geo.Geohash.MaxPrecision)
            throw new Alerts.Geo.GeoValidationException("Alerts:CellPrecision", CellPrecision, $"must be within [{Alerts.Geo.Geohash.MinPrecision}, {Alerts.Geo.Geohash.MaxPrecision}]");
        if (BlockPrecision < Alerts.Geo.Geohash.MinPrecision || BlockPrecision > CellPrecision)
            throw new InvalidOperationException($"Alerts:BlockPrecision {BlockPrecision} is invalid: must be within [{Alerts.Geo.Geohash.MinPrecision}, Alerts:CellPrecision ({CellPrecision})]");
        if (BlockPrecision > DirectoryTable.MaxBlockPrecision)
            throw new InvalidOperationException($"Alerts:BlockPrecision {BlockPrecision} is invalid: at most {DirectoryTable.MaxBlockPrecision} (blocks of about 1.2 km × 0.6 km; the directory keeps a block in 31 bits)");
        if (RecipientsPerTransaction < PushBatchSize)
            throw new InvalidOperationException($"Alerts:RecipientsPerTransaction {RecipientsPerTransaction} is invalid: must be at least Alerts:PushBatchSize ({PushBatchSize})");
        if (DirectoryShards is < 1 or > 65_536) throw new InvalidOperationException("Alerts:DirectoryShards must be within [1, 65536]");
        if (MaxUpdatesPerReport < 1) throw new InvalidOperationException("Alerts:MaxUpdatesPerReport must be positive");
        if (MaxPositionAge <= TimeSpan.Zero || PurgeInterval <= TimeSpan.Zero) throw new InvalidOperationException("Alerts:MaxPositionAge and PurgeInterval must be positive");
        if (MaxPositionAge + MaxClockSkew > MaxPositionSpan)
            throw new InvalidOperationException($"Alerts:MaxPositionAge {MaxPositionAge} is invalid: with Alerts:MaxClockSkew ({MaxClockSkew}) at most {MaxPositionSpan.TotalDays:0} days (cells keep fix times in 32 bits)");
        if (Alerts.Geo.GeoValidation.CheckRadius(MaxRadiusMeters, field: "Alerts:MaxRadiusMeters") is { } maxError) throw maxError;
        if (Alerts.Geo.GeoValidation.CheckRadius(DefaultRadiusMeters, MaxRadiusMeters, "Alerts:DefaultRadiusMeters") is { } defaultError) throw defaultError;
        if (CellsPerDispatchStep < 1 || PushBatchSize < 1 || MaxBatchesInFlightPerGateway < 1) throw new InvalidOperationException("Alerts:CellsPerDispatchStep, PushBatchSize and MaxBatchesInFlightPerGateway must be positive");
        if (MaxAlertsPerUserPerDay < 0) throw new InvalidOperationException($"Alerts:MaxAlertsPerUserPerDay {MaxAlertsPerUserPerDay} must be 0 (no limit) or positive");
        if (NoticeUsersPerStep < 1) throw new InvalidOperationException("Alerts:NoticeUsersPerStep must be positive");
        if (LateArrivalMaxWait >= CaseActiveFor)
            throw new InvalidOperationException($"Alerts:LateArrivalMaxWait {LateArrivalMaxWait} is invalid: must be shorter than Alerts:CaseActiveFor ({CaseActiveFor})");
    }

    // Every interval within a range that makes sense for it. The configuration reads a bare number as days
    // ("DispatchRetryDelay=2" is two days: a failed dispatch step would wait that long), so the upper bounds are what
    // catch it, and the message says how a time is written.
    private void CheckTimes()
    {
        var hour = TimeSpan.FromHours(1);
        (string Name, TimeSpan Value, bool ZeroAllowed, TimeSpan Max)[] times =
        [
            (nameof(ResidentFlushInterval), ResidentFlushInterval, false, hour),
            (nameof(DispatchRetryDelay), DispatchRetryDelay, false, hour),
            (nameof(LateArrivalMaxWait), LateArrivalMaxWait, false, hour),
            (nameof(GatewayLease), GatewayLease, false, hour),
            (nameof(OutboxSweepInterval), OutboxSweepInterval, false, hour),
            (nameof(AckTimeout), AckTimeout, false, hour),
            (nameof(PositionWriteGrace), PositionWriteGrace, true, hour),
            (nameof(MaxClockSkew), MaxClockSkew, true, hour),
            (nameof(PurgeInterval), PurgeInterval, false, TimeSpan.FromDays(1)),
            (nameof(CaseActiveFor), CaseActiveFor, false, TimeSpan.FromDays(30)),
            (nameof(MaxCaseExtension), MaxCaseExtension, false, TimeSpan.FromDays(30)),
        ];
        foreach (var (name, value, zeroAllowed, max) in times)
        {
            if ((zeroAllowed ? value >= TimeSpan.Zero : value > TimeSpan.Zero) && value <= max) continue;
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Alerts:{name} {value} is invalid: must be {(zeroAllowed ? "from 0" : "more than 0")} to {max} (write a time as hh:mm:ss, or d.hh:mm:ss; a bare number is read as days)"));
        }
    }
}
