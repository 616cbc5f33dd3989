using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Platform;

namespace Warden.Benchmarks;

/// <summary>The cost of authenticating a request with an API key: a cache hit (the hot path) and the SHA-256 alone.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ApiKeyVerifyBenchmarks
{
    private string _directory = null!;
    private WardenDatabase _database = null!;
    private ApiKeyService _keys = null!;
    private string _secret = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "warden-bench-" + Guid.NewGuid().ToString("N"));
        _database = WardenDatabase.ForSqlite(_directory);
        await new Migrator(_database, NullLogger<Migrator>.Instance).MigrateAsync();
        var meters = new BenchMeters();
        var options = Options.Create(new WardenOptions { DataDirectory = _directory, KeyCacheTtl = TimeSpan.FromHours(1) });
        var audit = new AuditLog(_database, TimeProvider.System, meters);
        _keys = new ApiKeyService(_database, audit, TimeProvider.System, options, meters, NullLogger<ApiKeyService>.Instance);
        var created = await _keys.CreateAsync(new Warden.Contracts.CreateApiKeyRequest("bench", ["viewer"]), new AuditScope { Actor = AuditActor.System, RequestId = "bench" });
        _secret = created.Secret;
        await _keys.VerifyAsync(_secret); // warm the cache
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "VerifyAsync, cached key")]
    public async Task<bool> VerifyCached() => (await _keys.VerifyAsync(_secret)).Principal is not null;

    [Benchmark(Description = "SHA-256 of a key")]
    public string HashOnly() => ApiKeyService.HashSecret(_secret);
}
