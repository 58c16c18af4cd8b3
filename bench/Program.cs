using Alerts.Bench.Runtime;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench -- --filter '*'            every BenchmarkDotNet benchmark (add --job short for a quick pass)
// dotnet run -c Release --project bench -- activation-memory [n]   bytes per idle activation
// dotnet run -c Release --project bench -- residency [users] [pg]   ingest, memory per resident, dispatch (default 10,000,000 users;
//                                                                   on SQLite, or on a fresh database of the PostgreSQL server "pg")
if (args is ["residency", ..])
{
    await Alerts.Bench.Product.ResidencyBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000,
        args.Length > 2 ? args[2] : null);
    return;
}

if (args is ["activation-memory", ..])
{
    await ActivationMemory.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
