using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Warden.Contracts;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Platform;
using Warden.Server.Registry;

namespace Warden.Server.Serving;

/// <summary>Traffic policies (canary weights and shadows) per model, and the routing decision for one request.</summary>
public sealed partial class TrafficRouter(WardenDatabase database, AuditLog audit, RegistryService registry)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, TrafficPolicy> _cache = new(StringComparer.Ordinal);

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$", RegexOptions.NonBacktracking)]
    private static partial Regex AliasPattern();

    /// <summary>How many models' policies are cached (for tests).</summary>
    internal int CachedModels => _cache.Count;

    /// <summary>The model's policy (default: all traffic to champion).</summary>
    public async Task<TrafficPolicy> GetAsync(string model, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue(model, out var cached))
        {
            return cached;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Id, string? Policy)>(new CommandDefinition(
            "SELECT m.id, p.policy FROM models m LEFT JOIN traffic_policies p ON p.model_id = m.id WHERE m.name = @model", new { model },
            cancellationToken: cancellationToken));
        var policy = row.Policy is null ? TrafficPolicy.Default : JsonSerializer.Deserialize<TrafficPolicy>(row.Policy, Json)!;
        if (row.Id is not null)
        {
            // Only names of registered models are remembered: callers cannot grow the cache with made-up names.
            _cache[model] = policy;
        }

        return policy;
    }

    /// <summary>Replaces the model's policy (audited).</summary>
    public async Task<TrafficPolicy> SetAsync(string model, TrafficPolicy policy, AuditScope scope, CancellationToken cancellationToken = default)
    {
        var shadows = policy.Shadows ?? [];
        new Validator()
            .Require(policy.Routes is { Count: > 0 and <= 10 }, "routes", "give 1–10 routes")
            .Require(policy.Routes?.All(r => AliasPattern().IsMatch(r.Alias ?? "")) != false, "routes", "each alias is 1–32 of a–z, 0–9, '_' or '-'")
            .Require(policy.Routes?.All(r => r.Weight >= 0 && double.IsFinite(r.Weight)) != false, "routes", "weights must be finite and not negative")
            .Require(policy.Routes is null || policy.Routes.Sum(r => r.Weight) > 0, "routes", "at least one weight must be positive")
            .Require(policy.Routes is null || policy.Routes.Select(r => r.Alias).Distinct(StringComparer.Ordinal).Count() == policy.Routes.Count, "routes", "each alias once")
            .Require(shadows.Count <= 5 && shadows.All(s => AliasPattern().IsMatch(s ?? "")), "shadows", "at most 5 aliases")
            .Require(policy.Routes is null || !shadows.Intersect(policy.Routes.Select(r => r.Alias), StringComparer.Ordinal).Any(), "shadows", "an alias cannot be both a route and a shadow")
            .ThrowIfInvalid();
        var row = await registry.FindModelAsync(model, cancellationToken);
        var stored = new TrafficPolicy(policy.Routes!, shadows);
        await using var uow = await database.BeginAsync(cancellationToken);
        await uow.ExecuteAsync("DELETE FROM traffic_policies WHERE model_id = @Id", new { row.Id }, cancellationToken);
        await uow.ExecuteAsync("INSERT INTO traffic_policies (model_id, policy, updated_at, updated_by) VALUES (@Id, @policy, @at, @by)",
            new { row.Id, policy = JsonSerializer.Serialize(stored, Json), at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), by = scope.Actor.KeyId }, cancellationToken);
        await audit.AppendAsync(uow, scope, "traffic.set", $"model:{model}", stored, cancellationToken: cancellationToken);
        uow.AfterCommit(() => _cache.TryRemove(model, out _));
        await uow.CommitAsync(cancellationToken);
        return stored;
    }

    /// <summary>Chooses a route: sticky by FNV-1a of (model, unit id) when a unit id is given, else at random.</summary>
    public static string Choose(TrafficPolicy policy, string model, string? unitId)
    {
        var total = policy.Routes.Sum(r => r.Weight);
        var point = unitId is null ? Random.Shared.NextDouble() : Fnv1a($"{model}:{unitId}") / (double)uint.MaxValue;
        var at = point * total;
        foreach (var route in policy.Routes)
        {
            if (at < route.Weight)
            {
                return route.Alias;
            }

            at -= route.Weight;
        }

        return policy.Routes[^1].Alias;
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
