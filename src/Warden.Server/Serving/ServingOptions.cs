namespace Warden.Server.Serving;

/// <summary>Serving settings ("Warden:Serving"); they apply to every deployment.</summary>
public sealed class ServingOptions
{
    /// <summary>Most records scored in one model call (dynamic batching).</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Longest a record waits for others to join its batch, in microseconds. 0 (the default) batches what is already
    /// queued and never waits: on small machines a waiting worker costs a core; raise it on many-core hosts with GPUs or
    /// large models, where bigger batches pay off.</summary>
    public int MaxQueueDelayMicroseconds { get; set; }

    /// <summary>Records that may wait per loaded version; beyond it requests get 429 with Retry-After.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Model calls running at once per loaded version (per-model concurrency limit).</summary>
    public int ConcurrencyPerVersion { get; set; } = 2;

    /// <summary>ONNX Runtime intra-op threads per session.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>A request that has not been answered by then gets 504.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often routes are re-checked against the registry (covers changes made on other replicas).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a replaced version stays loaded for requests already routed to it.</summary>
    public TimeSpan UnloadGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Per-deployment overrides, by model name (e.g. Warden:Serving:Models:credit-risk:IntraOpThreads = 4).</summary>
    public Dictionary<string, DeploymentOverrides> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The settings for one model: these defaults with its overrides applied.</summary>
    public ServingOptions For(string model)
    {
        if (!Models.TryGetValue(model, out var o))
        {
            return this;
        }

        return new ServingOptions
        {
            MaxBatchSize = o.MaxBatchSize ?? MaxBatchSize,
            MaxQueueDelayMicroseconds = o.MaxQueueDelayMicroseconds ?? MaxQueueDelayMicroseconds,
            QueueCapacity = o.QueueCapacity ?? QueueCapacity,
            ConcurrencyPerVersion = o.ConcurrencyPerVersion ?? ConcurrencyPerVersion,
            IntraOpThreads = o.IntraOpThreads ?? IntraOpThreads,
            RequestTimeout = o.RequestTimeout ?? RequestTimeout,
            RefreshInterval = RefreshInterval,
            UnloadGrace = UnloadGrace,
            ShadowConcurrency = ShadowConcurrency,
        };
    }

    /// <summary>Most shadow calls in flight per model; more shadow traffic is dropped and counted, never queued behind the primary.</summary>
    public int ShadowConcurrency { get; set; } = 4;
}

/// <summary>Settings one deployment (model) may override; unset values keep the server's defaults.</summary>
public sealed class DeploymentOverrides
{
    /// <summary>Most records per model call.</summary>
    public int? MaxBatchSize { get; set; }

    /// <summary>Batching wait in microseconds.</summary>
    public int? MaxQueueDelayMicroseconds { get; set; }

    /// <summary>Queue bound.</summary>
    public int? QueueCapacity { get; set; }

    /// <summary>Model calls at once per version.</summary>
    public int? ConcurrencyPerVersion { get; set; }

    /// <summary>ONNX Runtime session threads.</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>Request timeout.</summary>
    public TimeSpan? RequestTimeout { get; set; }
}
