using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project bench -- --filter '*'   (add --job short for a quick pass)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
