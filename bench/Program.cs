using System.Globalization;
using Alerts.Bench.Compare;
using Alerts.Bench.Orleans;
using Alerts.Bench.Product;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench -- --filter '*'             every BenchmarkDotNet benchmark (add --job short for a quick pass);
//                                                                    '*GrainCall*': Orleans grain calls, local and through an external client
// dotnet run -c Release --project bench -- activation-memory [n]    bytes per idle Orleans activation (default 200,000 activations)
// dotnet run -c Release --project bench -- residency [users] [pg]    ingest, memory per resident, dispatch, restart (default 10,000,000 users)
//                                                                    on an in-process silo: on SQLite, or on a fresh database of the
//                                                                    PostgreSQL server "pg" (a connection string to its postgres database)
// dotnet run -c Release --project bench -- residency [users] --cluster <pg>
//                                                                    ingest and dispatch on three silo processes (`migrate`, then the
//                                                                    Alerts.Silo.dll built beside the bench, three times)
//                                                                    on a fresh database of "pg", the client finding them in the membership table
// dotnet run -c Release --project bench -- engagement [events] [pg] engagement counting through the client (default 1,000,000 events)
//                                                                    against the database's own insert rate, on SQLite or a fresh database of "pg"
// dotnet run -c Release --project bench -- report-calls [N]          cell grain calls a report of 10,000 makes with 64 down to 1 directory
//                                                                    shards, on the comparison's population (default 1,000,000)
// dotnet run -c Release --project bench -- first-positions [rows] <pg>
//                                                                    users' first positions by the product's binary COPY against the
//                                                                    INSERT … unnest it replaced (default 400,000 rows, three rounds)
// dotnet run -c Release --project bench -- compare [N] [--size 10m] [--reps R] [--ours postgres|sqlite]
//                                                                    ours against PostGIS and Redis on one population (default 1,000,000),
//                                                                    report in bench/results/compare-N.md; exit 1 when the recipient sets disagree
// dotnet run -c Release --project bench -- compare ... --heap-census  also counts ours' memory by kind of object, from heap dumps of
//                                                                    the bench process before and after ingest (read by `heap-census <dump> <counts>`,
//                                                                    a process of its own)
// dotnet run -c Release --project bench -- table-heap               the compact tables' account of their bytes against the live heap
//                                                                    (in a process of its own; tests/Alerts.Bench.Tests runs it)
if (args is ["table-heap"])
{
    var (accounted, live) = TableHeapCheck.Measure();
    Console.WriteLine(FormattableString.Invariant($"accounted {accounted} live {live}"));
    return;
}

if (args is ["heap-census", var dump, var counts])
{
    HeapCensus.Write(dump, counts);
    return;
}

if (args is ["compare", ..])
{
    Environment.ExitCode = await CompareCommand.RunAsync(args[1..]);
    return;
}

if (args is ["residency", ..])
{
    var rest = args[1..].ToList();
    var cluster = rest.IndexOf("--cluster");
    string? clusterServer = null;
    if (cluster >= 0)
    {
        if (cluster + 1 >= rest.Count) throw new ArgumentException("--cluster needs a PostgreSQL server connection string");
        clusterServer = rest[cluster + 1];
        rest.RemoveRange(cluster, 2);
    }

    var users = rest.Count > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 10_000_000;
    if (clusterServer is not null) await ResidencyBenchmark.RunClusterAsync(users, clusterServer);
    else await ResidencyBenchmark.RunAsync(users, rest.Count > 1 ? rest[1] : null);
    return;
}

if (args is ["engagement", ..])
{
    await EngagementBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000, args.Length > 2 ? args[2] : null);
    return;
}

if (args is ["report-calls", ..])
{
    ReportCalls.Print(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

if (args is ["first-positions", _, ..])
{
    await FirstPositionsBenchmark.RunAsync(args.Length > 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 400_000, args[^1]);
    return;
}

if (args is ["activation-memory", ..])
{
    await ActivationMemory.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(GrainCallBenchmarks).Assembly).Run(args);
