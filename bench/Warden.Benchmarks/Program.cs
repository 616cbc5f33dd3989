using BenchmarkDotNet.Running;
using Warden.Benchmarks;

if (args.Length > 0 && args[0] == "registry-latency")
{
    await RegistryLatency.RunAsync(args);
    return;
}

if (args.Length > 0 && args[0] == "monitoring")
{
    await MonitoringBench.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
