using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Warden.Benchmarks;

/// <summary>Samples the runtime's allocation ticks (one event per ~100 KB allocated, naming the type that crossed the
/// threshold) to show which types a phase allocates: a cheap in-process allocation profile for BENCH_ALLOC=1.</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    public bool Recording { get; set; }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Recording || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var type = eventData.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t] as string ?? "?" : "?";
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(eventData.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }

    public void Print(long events)
    {
        foreach (var (type, bytes) in _bytes.OrderByDescending(kv => kv.Value).Take(25))
        {
            Console.WriteLine($"  {bytes / (double)events,8:N1} B/event  {type}");
        }
    }
}
