using System.Diagnostics;
using System.Diagnostics.Metrics;
using Warden.Server.Platform;

namespace Warden.Server.Serving;

/// <summary>Inference metrics with the semantics of Triton's nv_inference_* family, in Warden's namespace: requests by
/// outcome and reason, end-to-end / queue / compute durations, batch sizes, in-flight requests and loaded versions.</summary>
public sealed class ServingMetrics
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _queue;
    private readonly Histogram<double> _compute;
    private readonly Histogram<long> _batch;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, InFlightCount> _inflight = new(StringComparer.Ordinal);
    private readonly Counter<long> _shadowDropped;

    /// <summary>Creates the instruments.</summary>
    public ServingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.MeterName);
        _requests = meter.CreateCounter<long>("warden.inference.requests", "{request}", "Inference requests by model, version and outcome (success, or the failure reason).");
        _duration = meter.CreateHistogram<double>("warden.inference.request.duration", "s", "End-to-end inference time per request.");
        _queue = meter.CreateHistogram<double>("warden.inference.queue.duration", "s", "Time records waited in the batch queue.");
        _compute = meter.CreateHistogram<double>("warden.inference.compute.duration", "s", "Model execution time per batch.");
        _batch = meter.CreateHistogram<long>("warden.inference.batch.size", "{record}", "Records per model call.");
        // Observed at collection time from one counter per model: the hot path does an interlocked add, not a metric update.
        meter.CreateObservableUpDownCounter("warden.inference.inflight", ObserveInFlight, "{request}", "Requests being served.");
        _shadowDropped = meter.CreateCounter<long>("warden.inference.shadow.dropped", "{request}", "Shadow copies dropped because shadow capacity was full.");
        meter.CreateObservableGauge("warden.inference.loaded_versions", () => LoadedVersions, "{version}", "Model versions loaded for serving.");
    }

    /// <summary>Set by the deployment table.</summary>
    public int LoadedVersions { get; set; }

    /// <summary>Histogram names that get latency buckets from 50 µs.</summary>
    public static readonly string[] LatencyInstruments =
        ["warden.inference.request.duration", "warden.inference.queue.duration", "warden.inference.compute.duration"];

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Model, int Version), LiveStats> _live = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Model, int Version), VersionTags> _tags = new();

    /// <summary>Live figures per version for the dashboard (the last minute).</summary>
    public IReadOnlyDictionary<(string Model, int Version), LiveStats> Live => _live;

    /// <summary>Records one finished request.</summary>
    public void Request(string model, int version, string outcome, double seconds)
    {
        var tags = Tags(model, version);
        tags.Live.Record(outcome == "success", seconds);
        if (outcome == "success")
        {
            _requests.Add(1, tags.Success);
            _duration.Record(seconds, tags.Version);
        }
        else
        {
            _requests.Add(1, new TagList { { "model", model }, { "version", tags.Version[1].Value }, { "outcome", outcome } });
        }
    }

    /// <summary>Records one model call.</summary>
    public void Batch(string model, int version, int size, double queueSeconds, double computeSeconds)
    {
        var tags = Tags(model, version).Version;
        _batch.Record(size, tags);
        _queue.Record(queueSeconds, tags);
        _compute.Record(computeSeconds, tags);
    }

    // Tag sets are built once per version: the hot path neither boxes the version number nor allocates tag lists.
    private VersionTags Tags(string model, int version) =>
        _tags.TryGetValue((model, version), out var tags) ? tags : _tags.GetOrAdd((model, version), key => new VersionTags(key.Model, key.Version, _live.GetOrAdd(key, _ => new LiveStats())));

    private sealed class VersionTags(string model, int version, LiveStats live)
    {
        public LiveStats Live { get; } = live;

        public KeyValuePair<string, object?>[] Version { get; } = [new("model", model), new("version", version)];

        public KeyValuePair<string, object?>[] Success { get; } = [new("model", model), new("version", version), new("outcome", "success")];
    }

    /// <summary>A request started (+1) or finished (−1).</summary>
    public void InFlight(string model, int delta)
    {
        if (!_inflight.TryGetValue(model, out var box))
        {
            box = _inflight.GetOrAdd(model, _ => new InFlightCount());
        }

        Interlocked.Add(ref box.Value, delta);
    }

    private IEnumerable<Measurement<long>> ObserveInFlight()
    {
        foreach (var (model, box) in _inflight)
        {
            yield return new Measurement<long>(Volatile.Read(ref box.Value), new KeyValuePair<string, object?>("model", model));
        }
    }

    private sealed class InFlightCount
    {
        public long Value;
    }

    /// <summary>A shadow copy was dropped.</summary>
    public void ShadowDropped(string model) => _shadowDropped.Add(1, new KeyValuePair<string, object?>("model", model));
}

/// <summary>Requests per second and mean latency over the last 60 seconds, in one-second buckets.</summary>
public sealed class LiveStats
{
    private readonly long[] _count = new long[60];
    private readonly long[] _failures = new long[60];
    private readonly double[] _seconds = new double[60];
    private readonly long[] _stamp = new long[60];
    private readonly Lock _gate = new();

    /// <summary>Adds one request.</summary>
    public void Record(bool success, double seconds)
    {
        var now = Environment.TickCount64 / 1000;
        var i = (int)(now % 60);
        lock (_gate)
        {
            if (_stamp[i] != now)
            {
                (_stamp[i], _count[i], _failures[i], _seconds[i]) = (now, 0, 0, 0);
            }

            _count[i]++;
            if (success)
            {
                _seconds[i] += seconds;
            }
            else
            {
                _failures[i]++;
            }
        }
    }

    /// <summary>(requests per second, failures per second, mean latency in ms) over the last minute.</summary>
    public (double RequestsPerSecond, double FailuresPerSecond, double MeanMilliseconds) Snapshot()
    {
        var now = Environment.TickCount64 / 1000;
        long count = 0, failures = 0;
        double seconds = 0;
        lock (_gate)
        {
            for (var i = 0; i < 60; i++)
            {
                if (now - _stamp[i] < 60)
                {
                    count += _count[i];
                    failures += _failures[i];
                    seconds += _seconds[i];
                }
            }
        }

        var ok = count - failures;
        return (count / 60.0, failures / 60.0, ok == 0 ? 0 : seconds / ok * 1000);
    }
}
