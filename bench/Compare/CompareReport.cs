using System.Globalization;
using System.Text;

namespace Alerts.Bench.Compare;

/// <summary>The comparison as Markdown: the summary table with ratios (ours / theirs), per-centre medians, agreement, memory breakdown.</summary>
public static class CompareReport
{
    /// <summary>Renders <paramref name="result"/>; <paramref name="command"/> is the command line that made it.</summary>
    public static string Render(CompareResult result, string command)
    {
        var ours = result.System("ours");
        var postgis = result.System("PostGIS");
        var redis = result.System("Redis");
        var n = result.Options.Users;
        var text = new StringBuilder();
        text.AppendLine(Invariant($"# Ours against PostGIS and Redis, {n:N0} residents"));
        text.AppendLine();
        text.AppendLine($"`{command}` — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine($"Machine: {result.Machine}");
        text.AppendLine();
        var overrides = BenchSettings.Overrides();
        if (overrides.Count > 0) text.AppendLine($"Settings changed for this run: {string.Join(", ", overrides.Select(o => $"`{o.Key}={o.Value}`"))}\n");
        foreach (var s in result.Systems) text.AppendLine($"- **{s.Name}**: {s.Description}");
        text.AppendLine();
        text.AppendLine("Ratios are ours / theirs: above 1 is better for rates, below 1 is better for times and bytes.");
        text.AppendLine();
        text.AppendLine("| figure | ours | PostGIS | Redis | ours / PostGIS | ours / Redis |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        Row(text, "ingest, updates/s until acknowledged", ours.Ingest.AcknowledgedRate, postgis.Ingest.AcknowledgedRate, redis.Ingest.AcknowledgedRate, "N0");
        Row(text, "ingest, updates/s until durable", ours.Ingest.DurableRate, postgis.Ingest.DurableRate, null, "N0", "not durable");
        Row(text, Invariant($"moves ({ours.Moves.Updates:N0} users), updates/s until acknowledged"), ours.Moves.AcknowledgedRate, postgis.Moves.AcknowledgedRate, redis.Moves.AcknowledgedRate, "N0");
        Row(text, "moves, updates/s until durable", ours.Moves.DurableRate, postgis.Moves.DurableRate, null, "N0", "not durable");
        var dense = CaseCentre.Dense.Name;
        Row(text, Invariant($"selection, {dense} ({ours.Recipients(dense).Length:N0} recipients), median ms (ours: inside the silo)"),
            Ms(ours.MedianSelection(dense)), Ms(postgis.MedianSelection(dense)), Ms(redis.MedianSelection(dense)), "N2");
        Row(text, "selection, median over the 20 centres of each centre's median, ms", Ms(MedianOfCentres(ours, s => s.Elapsed)),
            Ms(MedianOfCentres(postgis, s => s.Elapsed)), Ms(MedianOfCentres(redis, s => s.Elapsed)), "N3");
        Row(text, "selection, sum over the 20 centres of each centre's median, ms", Ms(SumOfCentres(ours, s => s.Elapsed)),
            Ms(SumOfCentres(postgis, s => s.Elapsed)), Ms(SumOfCentres(redis, s => s.Elapsed)), "N1");
        Row(text, "ours through the client (ids on the wire), sum of medians, ms", Ms(SumOfCentres(ours, s => s.EndToEnd!.Value)),
            Ms(SumOfCentres(postgis, s => s.Elapsed)), Ms(SumOfCentres(redis, s => s.Elapsed)), "N1");
        Row(text, "memory, bytes per resident", ours.MemoryBytes / (double)n, postgis.MemoryBytes / (double)n, redis.MemoryBytes / (double)n, "N1");
        text.AppendLine();
        var floor = result.DispatchFloor < result.ParallelDispatchFloor ? result.DispatchFloor : result.ParallelDispatchFloor;
        var cpu = result.DispatchCpu;
        text.AppendLine(Invariant($"Dispatch (ours, PostgreSQL engine: {result.Options.OursEngine}): the {dense} case, {result.DispatchRecipients:N0} recipients recorded and acknowledged by a gateway in **{result.Dispatch.TotalSeconds:N2} s** ({result.DispatchRecipients / result.Dispatch.TotalSeconds:N0}/s); floor, PostgreSQL's own bulk upsert of {result.DispatchRecipients:N0} (case_id, user_id) rows: {result.DispatchFloor.TotalSeconds:N2} s on one connection, {result.ParallelDispatchFloor.TotalSeconds:N2} s on as many as ours writes at once; ratio **{result.Dispatch / floor:N1}×** the faster floor. Processor time during the dispatch: {cpu.MachineBusySeconds:N1} of {cpu.MachineSeconds:N1} core-seconds busy, {cpu.ProcessSeconds:N1} in the bench process (silo and gateway), {cpu.OthersSeconds:N1} in PostgreSQL."));
        text.AppendLine();
        text.AppendLine("Processor time during ingest (core-seconds; the machine has " + Environment.ProcessorCount + " cores): " + string.Join("; ", result.Systems.Select(s =>
            Invariant($"{s.Name}: {s.IngestCpu.MachineBusySeconds:N1} of {s.IngestCpu.MachineSeconds:N1} busy, {s.IngestCpu.ProcessSeconds:N1} in the bench process, {s.IngestCpu.OthersSeconds:N1} in its server, {1e6 * s.IngestCpu.MachineBusySeconds / s.Ingest.Updates:N1} µs an update"))) + ".");
        text.AppendLine("Garbage collection in the bench process during ingest: " + string.Join("; ", result.Systems.Select(s =>
            Invariant($"{s.Name}: {Allocated(s.IngestCpu.AllocatedBytes, s.Ingest.Updates)}, threads paused {s.IngestCpu.GcPauseSeconds:N1} s, {s.IngestCpu.Gen2Collections} full collections"))) + ".");
        text.AppendLine();
        text.AppendLine("Memory is measured as: " + string.Join("; ", result.Systems.Select(s => $"{s.Name}: {s.MemoryMethod}")) + ".");
        text.AppendLine();

        text.AppendLine("## Per centre (120 km; medians in ms; differences = residents only one side counted, all within the radius band)");
        text.AppendLine();
        text.AppendLine(Invariant($"Each system answered {result.Options.WarmUps} untimed rounds over the 20 centres, then {result.Options.Repetitions} timed rounds; the median of each centre's timed answers is shown."));
        text.AppendLine();
        text.AppendLine("| centre | kind | recipients (ours) | ours (silo) | ours (client) | PostGIS | Redis | ours / PostGIS | ours / Redis | PostGIS diff | Redis diff |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var centre in CaseCentre.All)
        {
            var o = ours.MedianSelection(centre.Name);
            var p = postgis.MedianSelection(centre.Name);
            var r = redis.MedianSelection(centre.Name);
            var pa = result.Agreements.Single(a => a.System == "PostGIS" && a.Centre == centre.Name);
            var ra = result.Agreements.Single(a => a.System == "Redis" && a.Centre == centre.Name);
            text.AppendLine(Invariant($"| {centre.Name} | {centre.Kind} | {ours.Recipients(centre.Name).Length:N0} | {Ms(o):N3} | {Ms(ours.MedianEndToEnd(centre.Name)!.Value):N3} | {Ms(p):N3} | {Ms(r):N3} | {o / p:N3} | {o / r:N3} | {Diff(pa)} | {Diff(ra)} |"));
        }

        text.AppendLine();
        text.AppendLine("## Agreement");
        text.AppendLine();
        var postgisBand = result.Agreements.First(a => a.System == "PostGIS");
        var redisBand = result.Agreements.First(a => a.System == "Redis");
        text.AppendLine(Invariant($"- PostGIS' sphere (use_spheroid = false), measured from ST_Distance of 1° on the equator: {result.PostgisSphereRadius:F4} m (ours {EarthRadii.Ours:F1} m); band {postgisBand.BandFromMeters:F4}–{postgisBand.BandToMeters:F4} m; {Total(result, "PostGIS")}."));
        text.AppendLine(Invariant($"- Redis' earth radius {EarthRadii.Redis:F6} m: its 120 km is {RecipientAgreement.RadiusMeters * EarthRadii.Ours / EarthRadii.Redis:F3} m on our sphere; band {redisBand.BandFromMeters:F3}–{redisBand.BandToMeters:F3} m (1 m for its 52-bit geohash positions); {Total(result, "Redis")}."));
        foreach (var a in result.Agreements.Where(a => !a.Agrees))
            text.AppendLine($"- **DISAGREEMENT** {a.System} at {a.Centre}: {string.Join("; ", a.Disagreements)}");
        text.AppendLine();

        if (result.Memory is { } memory)
        {
            text.AppendLine(Invariant($"## Our memory per resident by structure ({memory.Residents:N0} residents in {memory.Blocks:N0} cell grains, {memory.Shards} directory shards)"));
            text.AppendLine();
            text.AppendLine("| structure | bytes | bytes per resident |");
            text.AppendLine("| --- | ---: | ---: |");
            foreach (var (structure, _, bytes) in memory.Parts)
                text.AppendLine(Invariant($"| {structure} | {bytes:N0} | {bytes / (double)memory.Residents:N1} |"));
            text.AppendLine(Invariant($"| activations and the rest (measured total minus the above; {memory.Remainder / (double)memory.Blocks:N0} bytes per cell grain) | {memory.Remainder:N0} | {memory.Remainder / (double)memory.Residents:N1} |"));
            text.AppendLine(Invariant($"| **measured total** (live managed bytes gained by ingest) | {memory.Measured:N0} | {memory.Measured / (double)memory.Residents:N1} |"));
            if (memory.Census is { } census) AppendCensus(text, memory, census);
        }

        return text.ToString();
    }

    // Every byte by kind of object; the largest kinds one by one, the rest summed.
    private static void AppendCensus(StringBuilder text, MemoryBreakdown memory, IReadOnlyList<(string Kind, long Count, long Bytes)> census)
    {
        const int Listed = 25;
        text.AppendLine();
        text.AppendLine("### Every byte ingest added, by kind of object (`--heap-census`)");
        text.AppendLine();
        text.AppendLine("Heap dumps of the bench process after start and after ingest, each right after the full compacting collection that measures the total, read in a process of their own; an array or string is named with the type that holds it. "
            + Invariant($"Counts per cell grain divide by the {memory.Blocks:N0} cell grains."));
        text.AppendLine();
        text.AppendLine("| kind of object | objects gained | bytes gained | per resident | per cell grain |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (kind, count, bytes) in census.Take(Listed))
            text.AppendLine(Invariant($"| `{kind.Replace("|", "\\|", StringComparison.Ordinal)}` | {count:N0} | {bytes:N0} | {bytes / (double)memory.Residents:N2} | {bytes / (double)memory.Blocks:N0} |"));
        var others = census.Skip(Listed).ToList();
        text.AppendLine(Invariant($"| {others.Count:N0} other kinds | {others.Sum(o => o.Count):N0} | {others.Sum(o => o.Bytes):N0} | {others.Sum(o => o.Bytes) / (double)memory.Residents:N2} | {others.Sum(o => o.Bytes) / (double)memory.Blocks:N0} |"));
        var total = census.Sum(c => c.Bytes);
        text.AppendLine(Invariant($"| **census total** (measured total: {memory.Measured:N0}) | {census.Sum(c => c.Count):N0} | {total:N0} | {total / (double)memory.Residents:N1} | {total / (double)memory.Blocks:N0} |"));
    }

    private static string Diff(RecipientAgreement a) =>
        a.Agrees ? Invariant($"{a.OnlyOurs}/{a.OnlyTheirs}") : Invariant($"**{a.OnlyOurs}/{a.OnlyTheirs} FAIL**");

    private static string Total(CompareResult result, string system)
    {
        var all = result.Agreements.Where(a => a.System == system).ToList();
        return Invariant($"{all.Sum(a => a.OnlyOurs):N0} residents only ours counted, {all.Sum(a => a.OnlyTheirs):N0} only {system} counted, {all.Sum(a => a.InBand):N0} of them in the band, over {all.Sum(a => a.Ours):N0} recipients at 20 centres");
    }

    private static TimeSpan MedianOfCentres(SystemFigures s, Func<Selection, TimeSpan> time) =>
        Medians.Of(CaseCentre.All.Select(c => Medians.Of(s.Selections[c.Name].Select(time))));

    private static TimeSpan SumOfCentres(SystemFigures s, Func<Selection, TimeSpan> time) =>
        CaseCentre.All.Aggregate(TimeSpan.Zero, (sum, c) => sum + Medians.Of(s.Selections[c.Name].Select(time)));

    private static double Ms(TimeSpan t) => t.TotalMilliseconds;

    private static void Row(StringBuilder text, string figure, double? ours, double? postgis, double? redis, string format, string missing = "–")
    {
        string Cell(double? v) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : missing;
        string Ratio(double? a, double? b) => a is { } x && b is { } y && y != 0 ? (x / y).ToString("N2", CultureInfo.InvariantCulture) : "–";
        text.AppendLine($"| {figure} | {Cell(ours)} | {Cell(postgis)} | {Cell(redis)} | {Ratio(ours, postgis)} | {Ratio(ours, redis)} |");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    // The runtime's allocation counter can move by a few megabytes when threads come and go: below that, no per-update figure.
    private static string Allocated(long bytes, int updates) =>
        bytes < 16_000_000 ? "under 16 MB allocated in all" : Invariant($"{bytes / (double)updates:N0} bytes allocated an update");
}
