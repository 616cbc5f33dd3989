using System.Diagnostics.Metrics;

namespace Warden.Benchmarks;

/// <summary>A meter factory for services built by hand outside the host.</summary>
internal sealed class BenchMeters : IMeterFactory
{
    public Meter Create(MeterOptions options) => new(options);

    public void Dispose()
    {
    }
}
