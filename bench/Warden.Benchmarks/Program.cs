using BenchmarkDotNet.Running;
using Warden.Benchmarks;

if (args.Length > 0 && args[0] == "registry-latency")
{
    await RegistryLatency.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
