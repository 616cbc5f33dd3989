using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Inference;
using Warden.Server.Data;
using Warden.Server.Platform;
using Warden.Server.Registry;

namespace Warden.Server.Serving;

/// <summary>A version loaded for serving: the model (one ONNX Runtime session or ML.NET transformer shared by concurrent
/// requests), its batcher, and the facts serving needs from the registry.</summary>
public sealed class LoadedVersion : IAsyncDisposable
{
    private readonly Batcher _batcher;

    internal LoadedVersion(VersionRow row, IScoringModel model, ServingOptions options, ServingMetrics metrics, Privacy.PrivacyService privacy)
    {
        Row = row;
        Classification = row.Classification;
        Model = model;
        Signature = row.ParsedSignature;
        Columns = Signature.Features.Select(f => f.Name).ToArray();
        Index = Columns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        Policy = privacy.CompilePolicy(Signature, Classification, "model:" + row.ModelName);
        Concurrency = new SemaphoreSlim(Math.Max(1, options.ConcurrencyPerVersion));
        _batcher = new Batcher(model, Columns, options, metrics, row.ModelName, row.Number, Concurrency);
    }

    internal VersionRow Row { get; }

    /// <summary>The model.</summary>
    public string ModelName => Row.ModelName;

    /// <summary>The version number.</summary>
    public int Version => Row.Number;

    /// <summary>The loaded model.</summary>
    public IScoringModel Model { get; }

    /// <summary>The signature.</summary>
    public ModelSignature Signature { get; }

    /// <summary>Feature names in model order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The privacy classification of the features (parsed once).</summary>
    public IReadOnlyList<FeatureClassification> Classification { get; }

    /// <summary>Feature name → position.</summary>
    public IReadOnlyDictionary<string, int> Index { get; }

    /// <summary>The field policy applied to stored inputs.</summary>
    public Privacy.PrivacyService.FieldPolicy Policy { get; }

    /// <summary>The per-model concurrency limit: model calls running at once, batched or direct (OIP tensor inference).</summary>
    public SemaphoreSlim Concurrency { get; }

    /// <summary>Scores rows through the batcher.</summary>
    public ValueTask<double[]> ScoreAsync(IReadOnlyList<string[]> rows, CancellationToken cancellationToken) => _batcher.ScoreAsync(rows, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _batcher.DisposeAsync();
        Concurrency.Dispose();
        Model.Dispose();
    }
}

/// <summary>The serving snapshot of the control plane: which approved version answers for (model, alias). Routes are
/// resolved once and cached; a version is loaded and warmed up (one scored row) before any request is routed to it;
/// promotion, rollback, retirement and review sweeps refresh the affected model at once (and a timer covers changes
/// made on other replicas); a replaced or retired version is unloaded after a grace period. Only versions that are
/// approved and not past review are ever loaded.</summary>
public sealed partial class DeploymentTable(
    WardenDatabase database,
    IArtifactStore artifacts,
    IOptions<ServingOptions> options,
    ServingMetrics metrics,
    Privacy.PrivacyService privacy,
    TimeProvider time,
    ILogger<DeploymentTable> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Model, string Alias), Task<LoadedVersion?>> _routes = new();
    private readonly ConcurrentDictionary<string, Task<LoadedVersion>> _loaded = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshing = new(1, 1);

    /// <summary>The version serving (model, alias), or null when none is servable.</summary>
    public Task<LoadedVersion?> ResolveAsync(string model, string alias) =>
        _routes.GetOrAdd((model, alias), key => LoadRouteAsync(key.Model, key.Alias));

    /// <summary>The version serving (model, alias) when that route is already resolved and servable, else null — without a
    /// database round trip and without adding a route. Routes are kept current by promotions, rollbacks and the periodic
    /// refresh (review dates), as for <see cref="ResolveAsync"/>.</summary>
    public LoadedVersion? Loaded(string model, string alias) =>
        _routes.TryGetValue((model, alias), out var route) && route.IsCompletedSuccessfully ? route.Result : null;

    /// <summary>Version <paramref name="number"/> of <paramref name="model"/> when a resolved route serves it, with the first
    /// such route's alias (ordinal order), else null — without a database round trip.</summary>
    public LoadedVersion? LoadedByNumber(string model, int number, out string alias)
    {
        LoadedVersion? found = null;
        alias = "";
        foreach (var (key, route) in _routes)
        {
            if (key.Model == model && route.IsCompletedSuccessfully && route.Result is { } version && version.Version == number
                && (found is null || string.CompareOrdinal(key.Alias, alias) < 0))
            {
                (found, alias) = (version, key.Alias);
            }
        }

        return found;
    }

    /// <summary>What is loaded now, for the dashboard and /v2.</summary>
    public IReadOnlyList<(string Model, string Alias, LoadedVersion Version)> Routes =>
        _routes.Where(r => r.Value.IsCompletedSuccessfully && r.Value.Result is not null)
            .Select(r => (r.Key.Model, r.Key.Alias, r.Value.Result!)).OrderBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.Alias, StringComparer.Ordinal).ToList();

    /// <summary>Re-resolves every cached route of <paramref name="model"/> (all models when null): a changed route is
    /// swapped only after the new version is loaded and warm; versions no longer routed are unloaded after the grace period.</summary>
    public async Task RefreshAsync(string? model = null)
    {
        await _refreshing.WaitAsync();
        try
        {
            foreach (var key in _routes.Keys.Where(k => model is null || k.Model == model).ToList())
            {
                var fresh = await LoadRouteAsync(key.Model, key.Alias);
                var old = _routes.TryGetValue(key, out var current) && current.IsCompletedSuccessfully ? current.Result : null;
                if (fresh is null)
                {
                    _routes.TryRemove(key, out _);
                }
                else if (old is null || old.Row.Id != fresh.Row.Id)
                {
                    _routes[key] = Task.FromResult<LoadedVersion?>(fresh);
                }
            }

            await UnloadUnroutedAsync();
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task UnloadUnroutedAsync()
    {
        var routed = _routes.Values.Where(t => t.IsCompletedSuccessfully && t.Result is not null).Select(t => t.Result!.Row.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, task) in _loaded.ToList())
        {
            if (!routed.Contains(id) && task.IsCompletedSuccessfully && _loaded.TryRemove(id, out _))
            {
                var version = task.Result;
                LogUnloading(logger, version.ModelName, version.Version);
                _ = Task.Delay(options.Value.UnloadGrace, time).ContinueWith(_ => version.DisposeAsync().AsTask(), TaskScheduler.Default).Unwrap();
            }
        }

        metrics.LoadedVersions = _loaded.Count;
        await Task.CompletedTask;
    }

    private async Task<LoadedVersion?> LoadRouteAsync(string model, string alias)
    {
        VersionRow? row;
        await using (var connection = await database.OpenAsync())
        {
            row = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
                $"SELECT {RegistryService.VersionColumns} FROM aliases a JOIN models m ON m.id = a.model_id JOIN model_versions v ON v.id = a.version_id " +
                "WHERE m.name = @model AND a.alias = @alias", new { model, alias }));
        }

        // Defence in depth: aliases only ever point at approved versions, but serving checks again.
        if (row is null || row.State != VersionStates.Approved || RegistryService.IsOverdue(row, time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            return null;
        }

        try
        {
            return await _loaded.GetOrAdd(row.Id, _ => LoadAsync(row));
        }
        catch (Exception e) when (e is ModelArtifactException or Registry.ArtifactIntegrityException or InvalidOperationException
                                       or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            // A version that fails to load is reported and never half-served; the refresh timer tries again.
            _loaded.TryRemove(row.Id, out _);
            LogLoadFailed(logger, e, row.ModelName, row.Number);
            return null;
        }
    }

    private async Task<LoadedVersion> LoadAsync(VersionRow row)
    {
        var started = Stopwatch.GetTimestamp();
        var bytes = await artifacts.GetAsync(row.ArtifactSha256) ?? throw new InvalidOperationException($"artifact {row.ArtifactSha256} is missing");
        var settings = options.Value.For(row.ModelName);
        var model = ModelRuntime.Load(bytes, row.ParsedSignature.Features, row.LabelColumn, settings.IntraOpThreads);
        var loaded = new LoadedVersion(row, model, settings, metrics, privacy);
        try
        {
            // Warm up before anyone is routed here: the first real request must not pay for lazy initialisation.
            var warm = loaded.Signature.Features.Select(f => f.Kind is FeatureKinds.Numeric ? "0" : f.Kind == FeatureKinds.Boolean ? "false" : "").ToArray();
            if (warm.Length > 0)
            {
                await loaded.ScoreAsync([warm], CancellationToken.None);
            }
        }
        catch (Exception e) when (e is ScoringException or InvalidOperationException)
        {
            LogWarmUpFailed(logger, e, row.ModelName, row.Number);
        }

        metrics.LoadedVersions = _loaded.Count;
        LogLoaded(logger, row.ModelName, row.Number, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return loaded;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var task in _loaded.Values.Where(t => t.IsCompletedSuccessfully))
        {
            await task.Result.DisposeAsync();
        }

        _loaded.Clear();
        _refreshing.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} v{Version} for serving in {Milliseconds:0.0} ms")]
    private static partial void LogLoaded(ILogger logger, string model, int version, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloading {Model} v{Version}: no alias routes to it any more")]
    private static partial void LogUnloading(ILogger logger, string model, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Model} v{Version} failed to load and is not served")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string model, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up of {Model} v{Version} failed; it is served anyway")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception, string model, int version);
}

/// <summary>Re-checks every route on a timer (changes made by other replicas reach this one within RefreshInterval).</summary>
internal sealed class DeploymentRefresher(DeploymentTable table, IOptions<ServingOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await table.RefreshAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; requests keep using the routes they have.
            }
        }
    }
}
