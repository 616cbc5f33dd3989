using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Warden.Server.Security;

namespace Warden.Benchmarks;

/// <summary>The encryption overhead per stored event: sealing and opening a 1 KB JSON payload with AES-256-GCM under a
/// data key that is already unwrapped (the steady state: data keys are cached after the first use).</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class EnvelopeBenchmarks
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private byte[] _event = [];
    private byte[] _sealed = [];

    [GlobalSetup]
    public void Setup()
    {
        var json = "{\"model\":\"credit-risk\",\"version\":3,\"inputs\":{" +
                   string.Join(',', Enumerable.Range(0, 20).Select(i => $"\"feature_{i}\":\"<FEATURE_{i}_5f3a9c1e2b7d4a60>\"")) + "}}";
        _event = System.Text.Encoding.UTF8.GetBytes(json.PadRight(1024));
        _sealed = Envelope.Seal(_key, _event, "warden-subject|subject:0123456789abcdef|record:event-1");
    }

    [Benchmark(Description = "seal a 1 KB event")]
    public byte[] Seal() => Envelope.Seal(_key, _event, "warden-subject|subject:0123456789abcdef|record:event-1");

    [Benchmark(Description = "open a 1 KB event")]
    public byte[] Open() => Envelope.Open(_key, _sealed, "warden-subject|subject:0123456789abcdef|record:event-1");
}
