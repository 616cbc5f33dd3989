using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Inference;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Governance;
using Warden.Server.Platform;

namespace Warden.Server.Registry;

/// <summary>Registered models and their versions: creation, search, artifact upload with signature and lineage,
/// model cards and data classification. Lifecycle changes live in <see cref="GovernanceService"/>.</summary>
public sealed partial class RegistryService(
    WardenDatabase database,
    AuditLog audit,
    IArtifactStore artifacts,
    TimeProvider time,
    IOptions<GovernanceOptions> governance)
{
    internal const string VersionColumns =
        "v.id, v.model_id, m.name AS model_name, m.risk_tier, m.task AS model_task, v.version, v.state, v.artifact_sha256, v.format, v.artifact_bytes, v.signature, " +
        "v.label_column, v.lineage, v.card, v.data_classification, v.created_at, v.created_by, v.created_by_name, v.created_by_person, " +
        "v.submitted_at, v.review_due_at";

    private const string ModelColumns =
        "m.id, m.name, m.owner, m.description, m.business_purpose, m.risk_tier, m.task, m.sensitive_attributes, m.tags, m.metric_thresholds, " +
        "m.created_at, m.created_by, " +
        "(SELECT COUNT(*) FROM model_versions c WHERE c.model_id = m.id) AS version_count, " +
        "(SELECT MAX(c.version) FROM model_versions c WHERE c.model_id = m.id) AS latest_version, " +
        "(SELECT c.state FROM model_versions c WHERE c.model_id = m.id ORDER BY c.version DESC LIMIT 1) AS latest_state";

    private static readonly string[] KnownMetrics = ["accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "mae", "rmse", "r2"];
    private static readonly string[] Classifications = ["public", "personal", "sensitive"];

    [GeneratedRegex("^[a-z][a-z0-9._-]{2,63}$", RegexOptions.NonBacktracking)]
    private static partial Regex ModelName();

    [GeneratedRegex("^[a-z0-9][a-z0-9._:-]{0,49}$", RegexOptions.NonBacktracking)]
    private static partial Regex TagPattern();

    /// <summary>Registers a model.</summary>
    public async Task<ModelInfo> CreateModelAsync(CreateModelRequest request, AuditScope scope, CancellationToken cancellationToken = default)
    {
        var v = new Validator()
            .Require(request.Name is not null && ModelName().IsMatch(request.Name), "name",
                "must be 3–64 characters of a–z, 0–9, '.', '_' or '-', starting with a letter")
            .Require(!string.IsNullOrWhiteSpace(request.Owner) && request.Owner.Length <= 200, "owner", "must be 1–200 characters");
        ValidateModelFields(v, request.RiskTier, request.Task, request.SensitiveAttributes, request.Tags, request.MetricThresholds, request.Description, request.BusinessPurpose);
        v.ThrowIfInvalid();

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var id = NewId("m");
        var tags = NormalTags(request.Tags);
        await using var uow = await database.BeginAsync(cancellationToken);
        try
        {
            await uow.ExecuteAsync(
                "INSERT INTO models (id, name, owner, description, business_purpose, risk_tier, task, sensitive_attributes, tags, metric_thresholds, search_text, created_at, created_by, updated_at) " +
                "VALUES (@id, @Name, @Owner, @Description, @BusinessPurpose, @RiskTier, @Task, @sensitive, @tags, @thresholds, @search, @now, @by, @now)",
                new
                {
                    id, request.Name, Owner = request.Owner.Trim(), request.Description, request.BusinessPurpose, request.RiskTier, request.Task,
                    sensitive = RegistryJson.Write(request.SensitiveAttributes ?? []), tags = RegistryJson.Write(tags),
                    thresholds = RegistryJson.Write(request.MetricThresholds ?? []),
                    search = SearchText(request.Name, request.Owner, request.Description, request.BusinessPurpose), now, by = scope.Actor.KeyId,
                }, cancellationToken);
        }
        catch (Exception e) when (WardenDatabase.IsUniqueViolation(e))
        {
            throw WardenProblemException.Conflict($"A model named '{request.Name}' already exists.");
        }

        foreach (var tag in tags)
        {
            await uow.ExecuteAsync("INSERT INTO model_tags (model_id, tag) VALUES (@id, @tag)", new { id, tag }, cancellationToken);
        }

        await audit.AppendAsync(uow, scope, "models.create", $"model:{request.Name}",
            new { request.Owner, request.RiskTier, request.Task, tags, sensitiveAttributes = request.SensitiveAttributes, metricThresholds = request.MetricThresholds },
            cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return await GetModelAsync(request.Name!, cancellationToken);
    }

    /// <summary>Changes a model's descriptive fields, risk tier, sensitive attributes, tags or thresholds.</summary>
    public async Task<ModelInfo> UpdateModelAsync(string name, UpdateModelRequest request, AuditScope scope, CancellationToken cancellationToken = default)
    {
        var model = await FindModelAsync(name, cancellationToken);
        var v = new Validator().Require(request.Owner is null || (request.Owner.Trim().Length is > 0 and <= 200), "owner", "must be 1–200 characters");
        ValidateModelFields(v, request.RiskTier ?? model.Tier, model.Task, request.SensitiveAttributes, request.Tags, request.MetricThresholds, request.Description, request.BusinessPurpose);
        v.ThrowIfInvalid();
        var owner = request.Owner?.Trim() ?? model.Owner;
        var description = request.Description ?? model.Description;
        var purpose = request.BusinessPurpose ?? model.BusinessPurpose;
        var tags = request.Tags is null ? RegistryJson.Read<List<string>>(model.Tags)! : NormalTags(request.Tags);
        await using var uow = await database.BeginAsync(cancellationToken);
        await uow.ExecuteAsync(
            "UPDATE models SET owner = @owner, description = @description, business_purpose = @purpose, risk_tier = @tier, sensitive_attributes = @sensitive, " +
            "tags = @tags, metric_thresholds = @thresholds, search_text = @search, updated_at = @now WHERE id = @Id",
            new
            {
                owner, description, purpose, tier = request.RiskTier ?? model.Tier,
                sensitive = request.SensitiveAttributes is null ? model.SensitiveAttributes : RegistryJson.Write(request.SensitiveAttributes),
                tags = RegistryJson.Write(tags),
                thresholds = request.MetricThresholds is null ? model.MetricThresholds : RegistryJson.Write(request.MetricThresholds),
                search = SearchText(model.Name, owner, description, purpose), now = time.GetUtcNow().ToUnixTimeMilliseconds(), model.Id,
            }, cancellationToken);
        await uow.ExecuteAsync("DELETE FROM model_tags WHERE model_id = @Id", new { model.Id }, cancellationToken);
        foreach (var tag in tags)
        {
            await uow.ExecuteAsync("INSERT INTO model_tags (model_id, tag) VALUES (@Id, @tag)", new { model.Id, tag }, cancellationToken);
        }

        await audit.AppendAsync(uow, scope, "models.update", $"model:{name}", request, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return await GetModelAsync(name, cancellationToken);
    }

    /// <summary>One model by name.</summary>
    public async Task<ModelInfo> GetModelAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ModelRow>(new CommandDefinition(
            $"SELECT {ModelColumns} FROM models m WHERE m.name = @name", new { name }, cancellationToken: cancellationToken))
            ?? throw WardenProblemException.NotFound($"Model '{name}'");
        return (await ToInfosAsync(connection, [row], cancellationToken))[0];
    }

    /// <summary>Searches models; newest-named first by name order, paged.</summary>
    public async Task<Page<ModelInfo>> SearchModelsAsync(ModelQuery query, CancellationToken cancellationToken = default)
    {
        var where = new StringBuilder(" WHERE 1 = 1");
        var parameters = new DynamicParameters();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            where.Append(" AND m.search_text LIKE @search ESCAPE '\\'");
            parameters.Add("search", "%" + EscapeLike(query.Search.Trim().ToLowerInvariant()) + "%");
        }

        if (query.RiskTier is { } tier)
        {
            where.Append(" AND m.risk_tier = @tier");
            parameters.Add("tier", tier);
        }

        if (!string.IsNullOrWhiteSpace(query.Owner))
        {
            where.Append(" AND m.owner = @owner");
            parameters.Add("owner", query.Owner);
        }

        if (!string.IsNullOrWhiteSpace(query.Tag))
        {
            where.Append(" AND m.id IN (SELECT t.model_id FROM model_tags t WHERE t.tag = @tag)");
            parameters.Add("tag", query.Tag.Trim().ToLowerInvariant());
        }

        parameters.Add("limit", query.PageSize);
        parameters.Add("offset", (long)(query.Page - 1) * query.PageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM models m" + where, parameters, cancellationToken: cancellationToken));
        var rows = (await connection.QueryAsync<ModelRow>(new CommandDefinition(
            $"SELECT {ModelColumns} FROM models m{where} ORDER BY m.name LIMIT @limit OFFSET @offset", parameters, cancellationToken: cancellationToken))).ToList();
        return new Page<ModelInfo>(await ToInfosAsync(connection, rows, cancellationToken), total, query.Page, query.PageSize);
    }

    /// <summary>Uploads an artifact as a new draft version: the artifact is loaded, its signature read and checked
    /// against the declared one, and only then stored (content-addressed). Nothing is stored for a refused upload.</summary>
    public async Task<ModelVersionInfo> UploadVersionAsync(string name, byte[] artifact, UploadVersionMetadata metadata, AuditScope scope,
        CancellationToken cancellationToken = default)
    {
        var model = await FindModelAsync(name, cancellationToken);
        ModelSignature signature;
        try
        {
            using var loaded = ModelRuntime.Load(artifact, metadata.Features, metadata.LabelColumn);
            signature = loaded.Signature;
        }
        catch (ModelArtifactException e)
        {
            throw new WardenProblemException(StatusCodes.Status400BadRequest, "The artifact was refused.", e.Message);
        }

        ValidateClassification(metadata.DataClassification, signature);
        var lineage = metadata.Lineage ?? new VersionLineage();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(artifact));
        var now = time.GetUtcNow();
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            await RefuseDuplicateAsync(connection, null, model.Id, sha, name, cancellationToken);
        }

        // Store the artifact (and create its data key) before taking the write lock: SQLite allows one writer at a time,
        // and a duplicate that slips in between is caught again inside the transaction (content addressing keeps one copy).
        var stored = await artifacts.PutAsync(artifact, cancellationToken);
        await using var uow = await database.BeginAsync(cancellationToken);
        await RefuseDuplicateAsync(uow.Connection, uow.Transaction, model.Id, sha, name, cancellationToken);
        var number = (await uow.QuerySingleOrDefaultAsync<long?>("SELECT MAX(version) FROM model_versions WHERE model_id = @Id", new { model.Id }, cancellationToken) ?? 0) + 1;
        if (lineage.ParentVersion is { } parent && (parent < 1 || parent >= number))
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]>
            {
                ["lineage.parentVersion"] = [$"version {parent} of '{name}' does not exist"],
            });
        }

        var id = NewId("v");
        await uow.ExecuteAsync(
            "INSERT INTO model_versions (id, model_id, version, state, artifact_sha256, format, artifact_bytes, signature, label_column, lineage, card, data_classification, " +
            "created_at, created_by, created_by_name, created_by_person, review_due_at, updated_at) VALUES (@id, @ModelId, @number, @state, @sha, @format, @bytes, @signature, " +
            "@label, @lineage, @card, @classification, @now, @by, @byName, @person, @review, @now)",
            new
            {
                id, ModelId = model.Id, number, state = VersionStates.Draft, sha, format = signature.Format, bytes = stored.Bytes,
                signature = RegistryJson.Write(signature), label = metadata.LabelColumn, lineage = RegistryJson.Write(lineage),
                card = RegistryJson.Write(new ModelCard()), classification = RegistryJson.Write(metadata.DataClassification ?? []),
                now = now.ToUnixTimeMilliseconds(), by = scope.Actor.KeyId, byName = scope.Actor.Name, person = scope.Actor.Person,
                review = metadata.ReviewDueAt?.ToUnixTimeMilliseconds(),
            }, cancellationToken);
        await RecordTransitionAsync(uow, id, "none", VersionStates.Draft, "uploaded", scope.Actor, now, cancellationToken);
        await audit.AppendAsync(uow, scope, "versions.upload", $"model:{name}/v{number}",
            new { sha256 = sha, format = signature.Format, bytes = stored.Bytes, features = signature.Features.Count, lineage }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return await GetVersionAsync(name, (int)number, cancellationToken);
    }

    /// <summary>A model's versions, newest first.</summary>
    public async Task<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        var model = await FindModelAsync(name, cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<VersionRow>(new CommandDefinition(
            $"SELECT {VersionColumns} FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.model_id = @Id ORDER BY v.version DESC",
            new { model.Id }, cancellationToken: cancellationToken))).ToList();
        return await ToVersionInfosAsync(connection, rows, cancellationToken);
    }

    /// <summary>One version.</summary>
    public async Task<ModelVersionInfo> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await FindVersionAsync(connection, null, name, version, cancellationToken);
        return (await ToVersionInfosAsync(connection, [row], cancellationToken))[0];
    }

    /// <summary>The artifact bytes of a version.</summary>
    public async Task<(byte[] Content, string Sha256, string Format)> GetArtifactAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await FindVersionAsync(connection, null, name, version, cancellationToken);
        var content = await artifacts.GetAsync(row.ArtifactSha256, cancellationToken)
            ?? throw new InvalidOperationException($"artifact {row.ArtifactSha256} of {name} v{version} is missing from the artifact store");
        return (content, row.ArtifactSha256, row.Format);
    }

    /// <summary>A version's model card.</summary>
    public async Task<ModelCard> GetCardAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await FindVersionAsync(connection, null, name, version, cancellationToken)).ParsedCard;
    }

    /// <summary>Replaces the model card; only while the version is a draft.</summary>
    public async Task<ModelCard> UpdateCardAsync(string name, int version, ModelCard card, AuditScope scope, CancellationToken cancellationToken = default)
    {
        var v = new Validator();
        foreach (var (section, text) in CardSections(card))
        {
            v.Require(text is null || text.Length <= 20_000, section, "must be at most 20,000 characters");
        }

        v.ThrowIfInvalid();
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await FindVersionAsync(uow.Connection, uow.Transaction, name, version, cancellationToken);
        RequireDraft(row, "The model card");
        await uow.ExecuteAsync("UPDATE model_versions SET card = @card, updated_at = @now WHERE id = @Id",
            new { card = RegistryJson.Write(card), now = time.GetUtcNow().ToUnixTimeMilliseconds(), row.Id }, cancellationToken);
        await audit.AppendAsync(uow, scope, "versions.card", $"model:{name}/v{version}",
            new { sections = CardSections(card).Where(s => !string.IsNullOrWhiteSpace(s.Text)).Select(s => s.Section) }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return card;
    }

    /// <summary>Replaces the per-feature data classification; only while the version is a draft.</summary>
    public async Task<IReadOnlyList<FeatureClassification>> UpdateClassificationAsync(string name, int version, IReadOnlyList<FeatureClassification> classification,
        AuditScope scope, CancellationToken cancellationToken = default)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await FindVersionAsync(uow.Connection, uow.Transaction, name, version, cancellationToken);
        RequireDraft(row, "The data classification");
        ValidateClassification(classification, row.ParsedSignature);
        await uow.ExecuteAsync("UPDATE model_versions SET data_classification = @c, updated_at = @now WHERE id = @Id",
            new { c = RegistryJson.Write(classification), now = time.GetUtcNow().ToUnixTimeMilliseconds(), row.Id }, cancellationToken);
        await audit.AppendAsync(uow, scope, "versions.classify", $"model:{name}/v{version}", classification, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return classification;
    }

    /// <summary>The card as Markdown, with the version's facts in front.</summary>
    public async Task<string> CardMarkdownAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        var info = await GetVersionAsync(name, version, cancellationToken);
        var model = await GetModelAsync(name, cancellationToken);
        var card = await GetCardAsync(name, version, cancellationToken);
        var md = new StringBuilder();
        md.AppendLine($"# Model card: {name} v{version}").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        md.AppendLine($"| Owner | {Cell(model.Owner)} |");
        md.AppendLine($"| Risk tier | {model.RiskTier} |");
        md.AppendLine($"| Task | {model.Task} |");
        md.AppendLine($"| State | {info.State} |");
        md.AppendLine($"| Artifact | {info.Format}, sha256 `{info.ArtifactSha256}` |");
        md.AppendLine($"| Author | {Cell(info.CreatedByName)} ({info.CreatedAt:yyyy-MM-dd}) |");
        md.AppendLine($"| Review due | {(info.ReviewDueAt is { } r ? r.ToString("yyyy-MM-dd") : "not set")} |");
        md.AppendLine();
        foreach (var (section, text) in CardSections(card))
        {
            md.AppendLine($"## {Title(section)}").AppendLine();
            md.AppendLine(string.IsNullOrWhiteSpace(text) ? "_Not provided._" : text.Trim()).AppendLine();
        }

        if (info.Signature.Features.Count > 0)
        {
            md.AppendLine("## Features").AppendLine().AppendLine("| feature | kind | classification |").AppendLine("|---|---|---|");
            var classes = info.DataClassification.ToDictionary(c => c.Feature, c => c.Classification, StringComparer.Ordinal);
            foreach (var f in info.Signature.Features)
            {
                md.AppendLine($"| {Cell(f.Name)} | {f.Kind} | {classes.GetValueOrDefault(f.Name, "public")} |");
            }
        }

        return md.ToString();
    }

    /// <summary>The sections of a card with their JSON names, in the paper's order.</summary>
    public static IReadOnlyList<(string Section, string? Text)> CardSections(ModelCard card) =>
    [
        ("intendedUse", card.IntendedUse), ("outOfScopeUse", card.OutOfScopeUse), ("trainingData", card.TrainingData),
        ("evaluationData", card.EvaluationData), ("metrics", card.Metrics), ("ethicalConsiderations", card.EthicalConsiderations),
        ("caveatsAndRecommendations", card.CaveatsAndRecommendations),
    ];

    private static async Task RefuseDuplicateAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string modelId,
        string sha, string name, CancellationToken cancellationToken)
    {
        var duplicate = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT version FROM model_versions WHERE model_id = @modelId AND artifact_sha256 = @sha", new { modelId, sha }, transaction, cancellationToken: cancellationToken));
        if (duplicate is not null)
        {
            throw WardenProblemException.Conflict($"This artifact (sha256 {sha[..12]}…) is already version {duplicate} of '{name}'.");
        }
    }

    internal async Task<ModelRow> FindModelAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ModelRow>(new CommandDefinition(
                   $"SELECT {ModelColumns} FROM models m WHERE m.name = @name", new { name }, cancellationToken: cancellationToken))
               ?? throw WardenProblemException.NotFound($"Model '{name}'");
    }

    internal static async Task<VersionRow> FindVersionAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction,
        string name, int version, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            $"SELECT {VersionColumns} FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = @name AND v.version = @version",
            new { name, version }, transaction, cancellationToken: cancellationToken))
        ?? throw WardenProblemException.NotFound($"Version {version} of model '{name}'");

    internal static Task RecordTransitionAsync(UnitOfWork uow, string versionId, string from, string to, string reason, AuditActor actor,
        DateTimeOffset at, CancellationToken cancellationToken) =>
        uow.ExecuteAsync(
            "INSERT INTO version_transitions (id, version_id, from_state, to_state, reason, actor_key_id, actor_name, at) VALUES (@id, @versionId, @from, @to, @reason, @key, @name, @at)",
            new { id = NewId("t"), versionId, from, to, reason, key = actor.KeyId, name = actor.Name, at = at.ToUnixTimeMilliseconds() }, cancellationToken);

    internal async Task<List<ModelVersionInfo>> ToVersionInfosAsync(System.Data.Common.DbConnection connection, IReadOnlyList<VersionRow> rows,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = new DynamicParameters();
        var idList = WardenDatabase.InList(ids, "id", rows.Select(r => r.Id).ToList());
        var signOffs = (await connection.QueryAsync<SignOffRow>(new CommandDefinition(
            $"SELECT version_id, kind, actor_key_id, actor_name, person, comment, at FROM version_signoffs WHERE version_id IN {idList} ORDER BY at",
            ids, cancellationToken: cancellationToken))).ToLookup(s => s.VersionId);
        var aliases = (await connection.QueryAsync<(string VersionId, string Alias)>(new CommandDefinition(
            $"SELECT version_id, alias FROM aliases WHERE version_id IN {idList} ORDER BY alias", ids, cancellationToken: cancellationToken)))
            .ToLookup(a => a.VersionId, a => a.Alias);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return rows.Select(r => new ModelVersionInfo(
            r.ModelName, r.Number, r.State, r.ArtifactSha256, r.Format, r.ArtifactBytes, r.ParsedSignature, r.LabelColumn,
            RegistryJson.Read<VersionLineage>(r.Lineage) ?? new VersionLineage(), r.Classification,
            DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), r.CreatedBy, r.CreatedByName,
            r.ReviewDueAt is { } due ? DateTimeOffset.FromUnixTimeMilliseconds(due) : null,
            IsOverdue(r, now), aliases[r.Id].ToList(), signOffs[r.Id].Select(s => s.ToContract()).ToList(),
            Lifecycle.ActionsFor(r.State, governance.Value.For((int)r.RiskTier)))).ToList();
    }

    internal static bool IsOverdue(VersionRow row, long now) =>
        row.State == VersionStates.Approved && row.ReviewDueAt is { } due && due <= now;

    internal static string NewId(string prefix) => prefix + "_" + Guid.CreateVersion7().ToString("N");

    private async Task<List<ModelInfo>> ToInfosAsync(System.Data.Common.DbConnection connection, IReadOnlyList<ModelRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = new DynamicParameters();
        var idList = WardenDatabase.InList(ids, "id", rows.Select(r => r.Id).ToList());
        var aliases = (await connection.QueryAsync<(string ModelId, string Alias, long Version, long? ReviewDueAt)>(new CommandDefinition(
            $"SELECT a.model_id, a.alias, v.version, v.review_due_at FROM aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id IN {idList}",
            ids, cancellationToken: cancellationToken))).ToLookup(a => a.ModelId);
        var reviews = (await connection.QueryAsync<(string ModelId, long Due)>(new CommandDefinition(
            $"SELECT model_id, MIN(review_due_at) FROM model_versions WHERE model_id IN {idList} AND state = 'approved' AND review_due_at IS NOT NULL GROUP BY model_id",
            ids, cancellationToken: cancellationToken))).ToDictionary(r => r.ModelId, r => r.Due);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return rows.Select(r => new ModelInfo(
            r.Id, r.Name, r.Owner, r.Description, r.BusinessPurpose, r.Tier, r.Task, r.Sensitive,
            RegistryJson.Read<List<string>>(r.Tags) ?? [], r.Thresholds, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), r.CreatedBy,
            (int)r.VersionCount, (int?)r.LatestVersion, r.LatestState,
            aliases[r.Id].ToDictionary(a => a.Alias, a => (int)a.Version, StringComparer.Ordinal),
            reviews.TryGetValue(r.Id, out var due) ? DateTimeOffset.FromUnixTimeMilliseconds(due) : null,
            reviews.TryGetValue(r.Id, out var d) && d <= now)).ToList();
    }

    private static void RequireDraft(VersionRow row, string what)
    {
        if (row.State != VersionStates.Draft)
        {
            throw WardenProblemException.Conflict($"{what} of {row.ModelName} v{row.Version} is frozen: the version is {row.State}, and only drafts can be edited.");
        }
    }

    private static void ValidateModelFields(Validator v, int tier, string task, IReadOnlyList<SensitiveAttribute>? sensitive, IReadOnlyList<string>? tags,
        IReadOnlyList<MetricThreshold>? thresholds, string? description, string? purpose)
    {
        v.Require(tier is >= 1 and <= 3, "riskTier", "must be 1 (high), 2 or 3 (low)")
            .Require(task is ModelTasks.BinaryClassification or ModelTasks.Regression, "task", $"must be {ModelTasks.BinaryClassification} or {ModelTasks.Regression}")
            .Require(description is null || description.Length <= 4000, "description", "must be at most 4,000 characters")
            .Require(purpose is null || purpose.Length <= 4000, "businessPurpose", "must be at most 4,000 characters")
            .Require(tags is null || tags.Count <= 20, "tags", "at most 20 tags")
            .Require(tags is null || tags.All(t => t is not null && TagPattern().IsMatch(t.Trim().ToLowerInvariant())), "tags",
                "each tag is 1–50 characters of a–z, 0–9, '.', '_', ':' or '-'")
            .Require(sensitive is null || sensitive.All(s => !string.IsNullOrWhiteSpace(s.Name)), "sensitiveAttributes", "every attribute needs a name")
            .Require(sensitive is null || sensitive.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() == sensitive.Count, "sensitiveAttributes", "names must be unique")
            .Require(thresholds is null || thresholds.All(t => KnownMetrics.Contains(t.Metric, StringComparer.Ordinal)), "metricThresholds",
                $"metrics must be among {string.Join(", ", KnownMetrics)}")
            .Require(thresholds is null || thresholds.All(t => t.Min is not null || t.Max is not null), "metricThresholds", "each threshold needs min or max");
    }

    private static void ValidateClassification(IReadOnlyList<FeatureClassification>? classification, ModelSignature signature)
    {
        if (classification is null)
        {
            return;
        }

        var features = signature.Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var v = new Validator();
        foreach (var c in classification)
        {
            v.Require(features.Contains(c.Feature), "dataClassification", $"'{c.Feature}' is not a feature of the model")
                .Require(Classifications.Contains(c.Classification, StringComparer.Ordinal), "dataClassification",
                    $"'{c.Feature}': classification must be public, personal or sensitive");
        }

        v.ThrowIfInvalid();
    }

    private static List<string> NormalTags(IReadOnlyList<string>? tags) =>
        (tags ?? []).Select(t => t.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static string SearchText(params string?[] parts) => string.Join(' ', parts.Where(p => p is not null)).ToLowerInvariant();

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Title(string section) => section switch
    {
        "intendedUse" => "Intended use",
        "outOfScopeUse" => "Out-of-scope use",
        "trainingData" => "Training data",
        "evaluationData" => "Evaluation data",
        "metrics" => "Metrics",
        "ethicalConsiderations" => "Ethical considerations",
        _ => "Caveats and recommendations",
    };
}
