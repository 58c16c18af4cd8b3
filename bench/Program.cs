using Alerts.Bench.Runtime;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench -- --filter '*'            every BenchmarkDotNet benchmark (add --job short for a quick pass)
// dotnet run -c Release --project bench -- activation-memory [n]   bytes per idle activation
if (args is ["activation-memory", ..])
{
    await ActivationMemory.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
