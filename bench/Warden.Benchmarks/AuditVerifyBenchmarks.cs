using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Warden.Server.Audit;
using Warden.Server.Data;

namespace Warden.Benchmarks;

/// <summary>Verifying an audit log of 1,000,000 records: the hash chain alone (CPU), and end to end from the
/// embedded SQLite database through <see cref="AuditLog.VerifyAsync(CancellationToken)"/>.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class AuditVerifyBenchmarks
{
    private const int Records = 1_000_000;
    private List<AuditRow> _rows = null!;
    private string _directory = null!;
    private WardenDatabase _database = null!;
    private AuditLog _audit = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _rows = BuildChain(Records);
        _directory = Path.Combine(Path.GetTempPath(), "warden-bench-" + Guid.NewGuid().ToString("N"));
        _database = WardenDatabase.ForSqlite(_directory);
        await new Migrator(_database, NullLogger<Migrator>.Instance).MigrateAsync();
        await using var uow = await _database.BeginAsync();
        await using var command = (SqliteCommand)uow.Connection.CreateCommand();
        command.Transaction = (SqliteTransaction)uow.Transaction;
        command.CommandText = "INSERT INTO audit_log (seq, at, actor_key_id, actor_name, actor_roles, action, target, request_id, outcome, details, details_digest, prev_hash, hash) " +
                              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
        var parameters = Enumerable.Range(1, 13).Select(i => command.Parameters.Add(new SqliteParameter("$" + i, null))).ToArray();
        foreach (var r in _rows)
        {
            object[] values = [r.Seq, r.At, r.ActorKeyId, r.ActorName, r.ActorRoles, r.Action, r.Target, r.RequestId, r.Outcome, r.Details, r.DetailsDigest, r.PrevHash, r.Hash];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i];
            }

            await command.ExecuteNonQueryAsync();
        }

        await uow.CommitAsync();
        _audit = new AuditLog(_database, TimeProvider.System, new BenchMeters());
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "chain only, 1M records in memory")]
    public long VerifyInMemory()
    {
        using var verifier = new AuditChain.Verifier();
        foreach (var row in _rows)
        {
            if (verifier.Check(row) is not null)
            {
                throw new InvalidOperationException("chain broken");
            }
        }

        return verifier.Checked;
    }

    [Benchmark(Description = "AuditLog.VerifyAsync, 1M records in SQLite")]
    public async Task<long> VerifyFromSqlite()
    {
        var result = await _audit.VerifyAsync();
        return result.Intact ? result.RecordsChecked : throw new InvalidOperationException(result.Problem);
    }

    internal static List<AuditRow> BuildChain(int count)
    {
        var rows = new List<AuditRow>(count);
        var previous = AuditChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var details = $"{{\"name\":\"key-{i}\",\"roles\":[\"viewer\"],\"expiresAt\":null}}";
            var row = new AuditRow
            {
                Seq = i, At = 1_760_000_000_000 + i, ActorKeyId = "k_abcdefghijkl", ActorName = "ci-pipeline", ActorRoles = "admin",
                Action = "keys.create", Target = $"key:k_{i:D12}", RequestId = $"req_{Guid.NewGuid():N}", Outcome = "success",
                Details = details, DetailsDigest = AuditChain.Digest(details), PrevHash = previous,
            };
            row.Hash = AuditChain.ComputeHash(row);
            previous = row.Hash;
            rows.Add(row);
        }

        return rows;
    }
}
