using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Governance;
using Warden.Server.Registry;

namespace Warden.Benchmarks;

/// <summary>Registry read latency at 10,000 models × 10 versions: each query run many times, one at a time, with its
/// own stopwatch, so p50 and p99 are per-request figures (BenchmarkDotNet reports means of batches).
/// Run: dotnet run -c Release --project bench/Warden.Benchmarks -- registry-latency [postgres-connection-string]</summary>
public static class RegistryLatency
{
    private const int Models = 10_000;
    private const int VersionsPerModel = 10;
    private const int Runs = 2_000;

    public static async Task RunAsync(string[] args)
    {
        var directory = Path.Combine(Path.GetTempPath(), "warden-bench-registry-" + Guid.NewGuid().ToString("N"));
        await using var database = args.Length > 1 ? WardenDatabase.ForPostgres(args[1]) : WardenDatabase.ForSqlite(directory);
        await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync();
        var seeding = Stopwatch.StartNew();
        await SeedAsync(database);
        Console.WriteLine($"engine {database.EngineName}: seeded {Models:N0} models × {VersionsPerModel} versions in {seeding.Elapsed.TotalSeconds:0.0} s");

        var registry = new RegistryService(database, new AuditLog(database, TimeProvider.System, new BenchMeters()),
            new LocalArtifactStore(Path.Combine(directory, "artifacts")), TimeProvider.System, Options.Create(new GovernanceOptions()));
        var random = new Random(7);
        var cases = new (string Name, Func<Task> Query)[]
        {
            ("search text, page 1 of 50", () => registry.SearchModelsAsync(new ModelQuery { Search = $"fraud {random.Next(100):D2}" })),
            ("filter tier, page 37 of 50", () => registry.SearchModelsAsync(new ModelQuery { RiskTier = 1 + random.Next(3), Page = 37 })),
            ("filter tag", () => registry.SearchModelsAsync(new ModelQuery { Tag = $"team-{random.Next(50)}" })),
            ("get model by name", () => registry.GetModelAsync($"model-{random.Next(Models):D5}")),
            ("list 10 versions of a model", () => registry.ListVersionsAsync($"model-{random.Next(Models):D5}")),
        };

        Console.WriteLine();
        Console.WriteLine("| query | p50 | p99 | mean |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, query) in cases)
        {
            for (var i = 0; i < 50; i++)
            {
                await query(); // warm-up
            }

            var samples = new double[Runs];
            for (var i = 0; i < Runs; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await query();
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(samples);
            Console.WriteLine($"| {name} | {samples[Runs / 2]:0.00} ms | {samples[(int)(Runs * 0.99)]:0.00} ms | {samples.Average():0.00} ms |");
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task SeedAsync(WardenDatabase database)
    {
        var signature = ("{\"format\":\"onnx\",\"inputs\":[{\"name\":\"features\",\"elementType\":\"float32\",\"shape\":[-1,7]}],\"outputs\":[{\"name\":\"probability\",\"elementType\":\"float32\",\"shape\":[-1,1]}],\"features\":[]}");
        await using var uow = await database.BeginAsync();
        for (var m = 0; m < Models; m++)
        {
            var id = $"m_{m:D8}";
            var name = $"model-{m:D5}";
            var purpose = m % 100 < 3 ? $"fraud {m % 100:D2} detection for card payments" : $"scoring use case {m % 977}";
            await uow.ExecuteAsync(
                "INSERT INTO models (id, name, owner, description, business_purpose, risk_tier, task, sensitive_attributes, tags, metric_thresholds, search_text, created_at, created_by, updated_at) " +
                "VALUES (@id, @name, @owner, @d, @p, @tier, 'binary_classification', '[]', @tags, '[]', @search, 0, 'k_bench', 0)",
                new { id, name, owner = $"team-{m % 50}", d = "A model", p = purpose, tier = 1 + (m % 3), tags = $"[\"team-{m % 50}\"]", search = $"{name} team-{m % 50} a model {purpose}" });
            await uow.ExecuteAsync("INSERT INTO model_tags (model_id, tag) VALUES (@id, @tag)", new { id, tag = $"team-{m % 50}" });
            for (var v = 1; v <= VersionsPerModel; v++)
            {
                await uow.ExecuteAsync(
                    "INSERT INTO model_versions (id, model_id, version, state, artifact_sha256, format, artifact_bytes, signature, lineage, card, data_classification, " +
                    "created_at, created_by, created_by_name, created_by_person, updated_at) VALUES (@vid, @id, @v, @state, @sha, 'onnx', 1000, @signature, '{}', '{}', '[]', 0, 'k', 'dev', 'dev', 0)",
                    new { vid = $"v_{m:D8}_{v:D2}", id, v, state = v == VersionsPerModel ? "approved" : "retired", sha = $"{m:D32}{v:D32}", signature });
            }
        }

        await uow.CommitAsync();
    }
}
