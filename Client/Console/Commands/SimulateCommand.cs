using System.CommandLine;
using Spectre.Console;

namespace Alerts.Cli;

/// <summary>
/// <c>alerts simulate</c>: a city of devices behind one gateway. Loads the residents (a progress bar), prints
/// a line starting with <c>ready:</c>, then moves some of them now and then, counts the pushes it receives and
/// reports what the residents do with each alert (deliveries, opens, shares, sightings), until Ctrl-C or
/// <c>--duration</c>; then reports what is still queued and prints a summary per case.
/// </summary>
public static class SimulateCommand
{
    // At the end, the report in flight and then the engagement still queued each get this long: twice it stays well
    // inside the 30 s that Ctrl-C allows (AlertsConsole.RunAsync).
    private static readonly TimeSpan EngagementDrainTime = TimeSpan.FromSeconds(10);

    public static Command Create(ConnectionOptions connection)
    {
        var population = new Option<int>("--population") { Description = "How many residents (1-20,000,000)", DefaultValueFactory = _ => 100_000 };
        var city = new Option<string?>("--city") { Description = "Place the residents around this city (a place of ≥15,000 people, e.g. Shenzhen or Springfield,US); default Shenzhen" };
        var regionKm = new Option<double>("--region-km") { CustomParser = NumberOption.Parse, Description = "With --city: the region's radius in km", DefaultValueFactory = _ => 100 };
        var bbox = new Option<string?>("--bbox") { Description = "Place the residents in this box instead: south,west,north,east in degrees" };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed places the same residents", DefaultValueFactory = _ => 1 };
        var firstUser = new Option<long>("--first-user-id") { Description = "User ids run from this one (give simulators running together separate ranges)", DefaultValueFactory = _ => 1 };
        var moving = new Option<double>("--moving") { CustomParser = NumberOption.Parse, Description = "Share of residents that move each round (0-1)", DefaultValueFactory = _ => 0.01 };
        var moveEvery = new Option<double>("--move-every") { CustomParser = NumberOption.Parse, Description = "Seconds between rounds of moves", DefaultValueFactory = _ => 10 };
        var moveKm = new Option<double>("--move-km") { CustomParser = NumberOption.Parse, Description = "How far a move goes at most, km", DefaultValueFactory = _ => 2 };
        var duration = new Option<double?>("--duration") { CustomParser = NumberOption.ParseOptional, Description = "Stop after this many seconds (default: run until Ctrl-C)" };
        var name = new Option<string?>("--name") { Description = "The gateway name the simulator subscribes under: the credential's name (the default) or that name, '/' and an instance" };
        var places = new Option<string?>("--places") { Description = "Another places file in the cities15000 format" };
        var openRate = new Option<double>("--open-rate") { CustomParser = NumberOption.Parse, Description = "Share of residents who open an alert they receive (0-1; QQ's reported click rate)", DefaultValueFactory = _ => 0.3 };
        var shareRate = new Option<double>("--share-rate") { CustomParser = NumberOption.Parse, Description = "Share of openers who share it (0-1)", DefaultValueFactory = _ => 0.05 };
        var sightingRate = new Option<double>("--sighting-rate") { CustomParser = NumberOption.Parse, Description = "Share of openers who report a sighting (0-1)", DefaultValueFactory = _ => 0.001 };
        var shareReach = new Option<int>("--share-reach") { Description = "People outside the population who open each share's link (0-20); they pass it on at --share-rate, up to generation 3", DefaultValueFactory = _ => 2 };
        var command = new Command("simulate", "Play a city of devices through the gateway library (role gateway): load residents, move some, count the pushes they get")
        {
            population, city, regionKm, bbox, seed, firstUser, moving, moveEvery, moveKm, duration, name, places, openRate, shareRate, sightingRate, shareReach,
        };
        return command.Runs(connection, async context =>
        {
            Check(context.Get(population) is >= 1 and <= 20_000_000, "--population must be within [1, 20000000]");
            Check(context.Get(moving) is >= 0 and <= 1, "--moving must be within [0, 1]");
            // Timers take at least a millisecond and at most 49.7 days: checked here, not after loading every resident.
            Check(context.Get(moveEvery) is >= 0.001 and <= WatchCommand.MaxTimeoutSeconds, $"--move-every must be within [0.001, {WatchCommand.MaxTimeoutSeconds}] seconds");
            Check(context.Get(moveKm) >= 0, "--move-km must not be negative");
            Check(context.Get(duration) is null or (> 0 and <= WatchCommand.MaxTimeoutSeconds), $"--duration must be more than 0 and at most {WatchCommand.MaxTimeoutSeconds} seconds");
            Check(context.Get(firstUser) >= 1, "--first-user-id must be positive");
            Check(context.Get(city) is null || context.Get(bbox) is null, "give --city or --bbox, not both");
            foreach (var rate in new[] { openRate, shareRate, sightingRate })
                Check(context.Get(rate) is >= 0 and <= 1, $"{rate.Name} {context.Get(rate).ToString(System.Globalization.CultureInfo.InvariantCulture)} is invalid: must be within [0, 1]");
            Check(context.Get(shareReach) is >= 0 and <= 20, $"--share-reach {context.Get(shareReach)} is invalid: must be within [0, 20]");
            var table = PlaceTable.Load(context.Get(places) ?? PlaceTable.DefaultPath);
            var region = context.Get(bbox) is { } box ? Region.Box(box) : Region.AroundPlace(table, context.Get(city) ?? "Shenzhen", context.Get(regionKm));
            var plan = PopulationPlan.For(table, region);
            var settings = new SimulationSettings(context.Get(population), region, context.Get(seed), context.Get(firstUser), context.Get(moving),
                TimeSpan.FromSeconds(context.Get(moveEvery)), context.Get(moveKm) * 1000, context.Get(duration) is { } d ? TimeSpan.FromSeconds(d) : null,
                context.Get(name), ReportSize: 10_000, ReportsInFlight: 4,
                context.Get(openRate), context.Get(shareRate), context.Get(sightingRate), context.Get(shareReach));
            var simulation = new CitySimulation(settings, plan);
            var output = context.Output;

            await using var gateway = await simulation.ConnectAsync(context.ClientOptions(), context.Cancellation);
            var loadTime = await LoadWithProgressAsync(simulation, gateway, settings, output, context.Cancellation);
            var ready = new { @event = "ready", residents = settings.Population, places = plan.Places.Count, region = region.Description, seconds = Math.Round(loadTime.TotalSeconds, 1), perSecond = Math.Round(settings.Population / loadTime.TotalSeconds) };
            if (output.IsJson) ConsoleOutput.WriteJson(ready, indented: false);
            else System.Console.WriteLine($"ready: {settings.Population:N0} residents in {region.Description} ({plan.Places.Count} places) loaded in {loadTime.TotalSeconds:0.0} s ({ready.perSecond:N0}/s); receiving pushes, Ctrl-C to stop");

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            if (settings.Duration is { } limit) stop.CancelAfter(limit);
            var reporting = simulation.ReportEngagementAsync(gateway, stop.Token);
            await simulation.MoveAsync(gateway, stop.Token);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            // What the residents did is in the summary only once the cluster has counted it. Both waits are bounded so that
            // together they end well inside the 30 s Ctrl-C grace (AlertsConsole), after which the summary would be lost.
            try
            {
                await reporting.WaitAsync(EngagementDrainTime);
            }
            catch (TimeoutException)
            {
                // A report still in flight: the drain below waits for it as long as it can, then counts the rest as failed.
            }

            await simulation.DrainEngagementAsync(gateway, EngagementDrainTime);

            // A JSON line like the ready line, so a script reading the simulator's output line by line gets both.
            var summary = simulation.Summary(gateway, loadTime);
            if (output.IsJson) ConsoleOutput.WriteJson(summary, indented: false);
            else
            {
                output.Terminal.Write(SummaryTable(summary));
                if (summary.Engagement.Count > 0) output.Terminal.Write(EngagementTable(summary));
            }
        });
    }

    // Raises value to at least target; true for the one caller that raised it. Reports arrive from several calls at once:
    // an exchange could lower it again (a later tenth overwritten by an earlier one), so lines repeated or went back.
    private static bool Raise(ref int value, int target)
    {
        for (var seen = Volatile.Read(ref value); seen < target; seen = Volatile.Read(ref value))
        {
            if (Interlocked.CompareExchange(ref value, target, seen) == seen) return true;
        }

        return false;
    }

    private static void Check(bool valid, string problem)
    {
        if (!valid) throw new ConsoleFailure(ExitCodes.BadInput, problem);
    }

    private static async Task<TimeSpan> LoadWithProgressAsync(CitySimulation simulation, Alerts.Client.GatewayConnection gateway, SimulationSettings settings, ConsoleOutput output, CancellationToken cancellationToken)
    {
        if (output.IsJson || !output.Terminal.Profile.Capabilities.Interactive)
        {
            // Without a terminal: a line at every tenth, so logs show the load moving.
            var reported = 0;
            return await simulation.LoadAsync(gateway, loaded =>
            {
                var tenth = (int)(10L * loaded / settings.Population);
                if (Raise(ref reported, tenth) && !output.IsJson)
                    System.Console.WriteLine($"loading: {loaded:N0} / {settings.Population:N0} residents");
            }, cancellationToken);
        }

        var elapsed = TimeSpan.Zero;
        await output.Terminal.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"loading {settings.Population:N0} residents", maxValue: settings.Population);
                elapsed = await simulation.LoadAsync(gateway, loaded => task.Value = loaded, cancellationToken);
                task.Value = settings.Population;
            });
        return elapsed;
    }

    private static Table SummaryTable(SimulationSummary s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{s.Residents:N0} residents in {Markup.Escape(s.Region)}, loaded in {s.LoadSeconds:0.0} s ({s.LoadRatePerSecond:N0}/s)")
            .AddColumn("case").AddColumn("kind").AddColumn("batches", c => c.RightAligned()).AddColumn("pushes", c => c.RightAligned())
            .AddColumn("users", c => c.RightAligned()).AddColumn("repeated", c => c.RightAligned());
        foreach (var c in s.Cases) table.AddRow(Markup.Escape(c.CaseId), c.Kind, $"{c.Batches:N0}", $"{c.Pushes:N0}", $"{c.Users:N0}", $"{c.Repeated:N0}");
        if (s.Cases.Count == 0) table.AddRow("(no pushes)", "", "", "", "", "");
        table.Caption($"moves reported {s.Moves:N0}, rejected updates {s.Rejected:N0}, redelivered batches dropped {s.DuplicateBatchesDropped:N0}, resubscriptions {s.Resubscriptions:N0}");
        return table;
    }

    private static Table EngagementTable(SimulationSummary s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("what the residents did with the alerts (as counted by the cluster)")
            .AddColumn("case").AddColumn("delivered", c => c.RightAligned()).AddColumn("opened", c => c.RightAligned()).AddColumn("via links", c => c.RightAligned())
            .AddColumn("shared", c => c.RightAligned()).AddColumn("depth", c => c.RightAligned()).AddColumn("sightings", c => c.RightAligned()).AddColumn("refused", c => c.RightAligned());
        foreach (var e in s.Engagement)
            table.AddRow(Markup.Escape(e.CaseId), $"{e.Delivered:N0}", $"{e.Opened:N0}", $"{e.OpensThroughShares:N0}", $"{e.Shared:N0}", $"{e.MaxShareDepth}", $"{e.Sightings:N0}", $"{e.Refused + e.Rejected:N0}");
        var problems = s.Engagement.Where(e => e.FirstProblem is not null || e.Failed > 0).Select(e => $"{e.CaseId}: {e.Failed:N0} unanswered{(e.FirstProblem is { } p ? $", first refused: {p}" : "")}").ToList();
        if (problems.Count > 0) table.Caption(Markup.Escape(string.Join("; ", problems)));
        return table;
    }
}
