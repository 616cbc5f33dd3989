using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Dapper;
using Warden.Contracts;
using Warden.Server.Data;

namespace Warden.Server.Audit;

/// <summary>The append-only, hash-chained audit log. Records are appended inside the caller's unit of work,
/// so a change and its record commit or roll back together.</summary>
public sealed class AuditLog(WardenDatabase database, TimeProvider time, IMeterFactory meters, Privacy.PrivacyService? privacy = null)
{
    // Serialises appends on PostgreSQL across replicas; SQLite's BEGIN IMMEDIATE already serialises writers.
    private const long PostgresAppendLock = 0x4155_4449_54; // "AUDIT"

    private static readonly JsonSerializerOptions DetailsJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Counter<long> _appended = meters.Create("Warden").CreateCounter<long>(
        "warden.audit.records", unit: "{record}", description: "Audit records appended, by outcome.");

    private const string Columns =
        "seq, at, actor_key_id, actor_name, actor_roles, action, target, request_id, outcome, details, details_digest, prev_hash, hash";

    /// <summary>Appends a record for a change made in <paramref name="uow"/>, by the caller in <paramref name="scope"/>.</summary>
    public Task<AuditRecord> AppendAsync(UnitOfWork uow, AuditScope scope, string action, string target,
        object? details = null, string outcome = AuditOutcome.Success, CancellationToken cancellationToken = default)
    {
        uow.AfterCommit(() => scope.Recorded = true);
        return AppendAsync(uow, scope.Actor, scope.RequestId, action, target, details, outcome, cancellationToken);
    }

    /// <summary>Appends a record for a change made in <paramref name="uow"/>.</summary>
    public async Task<AuditRecord> AppendAsync(UnitOfWork uow, AuditActor actor, string requestId, string action, string target,
        object? details = null, string outcome = AuditOutcome.Success, CancellationToken cancellationToken = default)
    {
        if (database.Engine == StorageEngine.PostgreSql)
        {
            await uow.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = PostgresAppendLock }, cancellationToken);
        }

        var last = await uow.QuerySingleOrDefaultAsync<LastRecord>(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", cancellationToken: cancellationToken);
        var detailsJson = details switch
        {
            null => "{}",
            string s => s,
            _ => JsonSerializer.Serialize(details, DetailsJson),
        };
        // Audit details are kept for years: personal data found in them is replaced by its entity type before it is chained.
        if (privacy is not null)
        {
            detailsJson = privacy.MaskJson(detailsJson, "audit");
        }
        var row = new AuditRow
        {
            Seq = (last?.Seq ?? 0) + 1,
            At = time.GetUtcNow().ToUnixTimeMilliseconds(),
            ActorKeyId = actor.KeyId,
            ActorName = actor.Name,
            ActorRoles = string.Join(',', actor.Roles),
            Action = action,
            Target = target,
            RequestId = requestId,
            Outcome = outcome,
            Details = detailsJson,
            DetailsDigest = AuditChain.Digest(detailsJson),
            PrevHash = last?.Hash ?? AuditChain.GenesisHash,
        };
        row.Hash = AuditChain.ComputeHash(row);
        await uow.ExecuteAsync(
            $"INSERT INTO audit_log ({Columns}) VALUES (@Seq, @At, @ActorKeyId, @ActorName, @ActorRoles, @Action, @Target, @RequestId, @Outcome, @Details, @DetailsDigest, @PrevHash, @Hash)",
            row, cancellationToken);
        uow.AfterCommit(() => _appended.Add(1, new KeyValuePair<string, object?>("outcome", outcome)));
        return ToRecord(row);
    }

    /// <summary>Appends a record in a transaction of its own (for refused calls, where no change was made).</summary>
    public async Task AppendStandaloneAsync(AuditActor actor, string requestId, string action, string target, object? details,
        string outcome, CancellationToken cancellationToken = default)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        await AppendAsync(uow, actor, requestId, action, target, details, outcome, cancellationToken);
        await uow.CommitAsync(cancellationToken);
    }

    /// <summary>One page of records matching <paramref name="query"/>, newest first.</summary>
    public async Task<Page<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var where = new StringBuilder(" WHERE 1 = 1");
        var parameters = new DynamicParameters();
        if (!string.IsNullOrEmpty(query.Actor))
        {
            where.Append(" AND actor_key_id = @actor");
            parameters.Add("actor", query.Actor);
        }

        if (!string.IsNullOrEmpty(query.Action))
        {
            where.Append(" AND action LIKE @action ESCAPE '\\'");
            parameters.Add("action", EscapeLike(query.Action) + "%");
        }

        if (!string.IsNullOrEmpty(query.Target))
        {
            where.Append(" AND target LIKE @target ESCAPE '\\'");
            parameters.Add("target", EscapeLike(query.Target) + "%");
        }

        if (query.Since is { } since)
        {
            where.Append(" AND at >= @since");
            parameters.Add("since", since.ToUnixTimeMilliseconds());
        }

        if (query.Until is { } until)
        {
            where.Append(" AND at < @until");
            parameters.Add("until", until.ToUnixTimeMilliseconds());
        }

        parameters.Add("limit", query.PageSize);
        parameters.Add("offset", (long)(query.Page - 1) * query.PageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(
            new CommandDefinition("SELECT COUNT(*) FROM audit_log" + where, parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(
            $"SELECT {Columns} FROM audit_log{where} ORDER BY seq DESC LIMIT @limit OFFSET @offset", parameters, cancellationToken: cancellationToken));
        return new Page<AuditRecord>(rows.Select(ToRecord).ToList(), total, query.Page, query.PageSize);
    }

    /// <summary>One record by sequence number, or null.</summary>
    public async Task<AuditRecord?> GetAsync(long sequence, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AuditRow>(new CommandDefinition(
            $"SELECT {Columns} FROM audit_log WHERE seq = @sequence", new { sequence }, cancellationToken: cancellationToken));
        return row is null ? null : ToRecord(row);
    }

    /// <summary>Recomputes the whole chain from the first record and names the first one that does not verify.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM audit_log ORDER BY seq";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await VerifyAsync(reader, time, cancellationToken);
    }

    internal static async Task<AuditVerification> VerifyAsync(DbDataReader reader, TimeProvider time, CancellationToken cancellationToken)
    {
        using var verifier = new AuditChain.Verifier();
        var row = new AuditRow();
        while (await reader.ReadAsync(cancellationToken))
        {
            row.Seq = reader.GetInt64(0);
            row.At = reader.GetInt64(1);
            row.ActorKeyId = reader.GetString(2);
            row.ActorName = reader.GetString(3);
            row.ActorRoles = reader.GetString(4);
            row.Action = reader.GetString(5);
            row.Target = reader.GetString(6);
            row.RequestId = reader.GetString(7);
            row.Outcome = reader.GetString(8);
            row.Details = reader.GetString(9);
            row.DetailsDigest = reader.GetString(10);
            row.PrevHash = reader.GetString(11);
            row.Hash = reader.GetString(12);
            if (verifier.Check(row) is { } problem)
            {
                return new AuditVerification(false, verifier.Checked, verifier.HeadSequence, verifier.HeadHash, row.Seq, problem, time.GetUtcNow());
            }
        }

        return new AuditVerification(true, verifier.Checked, verifier.HeadSequence, verifier.HeadHash, null, null, time.GetUtcNow());
    }

    private static AuditRecord ToRecord(AuditRow row) => new(
        row.Seq,
        DateTimeOffset.FromUnixTimeMilliseconds(row.At),
        row.ActorKeyId,
        row.ActorName,
        row.ActorRoles.Length == 0 ? [] : row.ActorRoles.Split(','),
        row.Action,
        row.Target,
        row.RequestId,
        row.Outcome,
        row.Details,
        row.DetailsDigest,
        row.PrevHash,
        row.Hash);

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private sealed class LastRecord
    {
        public long Seq { get; set; }

        public string Hash { get; set; } = "";
    }
}
