using System.Net;
using Dapper;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Registry rules on both engines: names, search, uploads and their refusals, signatures, cards, review dates.</summary>
public sealed class RegistryTests
{
    private static readonly IReadOnlyList<FeatureSpec> OnnxFeatures =
        GermanCredit.NumericColumns.Select(c => new FeatureSpec(c, FeatureKinds.Numeric, "float32")).ToList();

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Models_are_validated_unique_and_searchable(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        var bad = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.CreateModelAsync(new CreateModelRequest("X y", "", 5, Task: "clustering",
            MetricThresholds: [new MetricThreshold("auc")])));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal(["metricThresholds", "name", "owner", "riskTier", "task"], bad.Errors.Keys.Order());

        for (var i = 0; i < 12; i++)
        {
            await team.Developer.CreateModelAsync(new CreateModelRequest($"model-{i:D2}", i % 2 == 0 ? "team-a" : "team-b", (i % 3) + 1,
                i == 7 ? "Detects Fraud in card payments" : "something", Tags: i % 4 == 0 ? ["Fraud", "cards"] : ["other"]));
        }

        var duplicate = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.CreateModelAsync(new CreateModelRequest("model-00", "x", 1)));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);

        var page = await team.Validator.SearchModelsAsync(new ModelQuery { PageSize = 5, Page = 3 });
        Assert.Equal(12, page.Total);
        Assert.Equal(["model-10", "model-11"], page.Items.Select(m => m.Name));
        Assert.Equal(["model-07"], (await team.Validator.SearchModelsAsync(new ModelQuery { Search = "fraud" })).Items.Select(m => m.Name));
        Assert.Equal(4, (await team.Validator.SearchModelsAsync(new ModelQuery { RiskTier = 1 })).Total);
        Assert.Equal(6, (await team.Validator.SearchModelsAsync(new ModelQuery { Owner = "team-a" })).Total);
        Assert.Equal(["model-00", "model-04", "model-08"], (await team.Validator.SearchModelsAsync(new ModelQuery { Tag = "fraud" })).Items.Select(m => m.Name));
        Assert.Equal(0, (await team.Validator.SearchModelsAsync(new ModelQuery { Search = "model_0" })).Total); // '_' is literal

        var updated = await team.Developer.UpdateModelAsync("model-01", new UpdateModelRequest(Owner: "team-c", RiskTier: 1, Tags: ["new"]));
        Assert.Equal(("team-c", 1), (updated.Owner, updated.RiskTier));
        Assert.Equal(["model-01"], (await team.Validator.SearchModelsAsync(new ModelQuery { Tag = "new" })).Items.Select(m => m.Name));
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Refused_uploads_store_nothing(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        await team.Developer.CreateModelAsync(new CreateModelRequest("scorer", "team", 2));

        var corrupt = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.UploadVersionAsync("scorer", "this is not a model"u8.ToArray(), "x.onnx"));
        Assert.Equal(HttpStatusCode.BadRequest, corrupt.Status);
        Assert.Contains("neither an ML.NET zip nor a loadable ONNX model", corrupt.Detail, StringComparison.Ordinal);

        var fakeZip = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.UploadVersionAsync("scorer", [.. "PK\u0003\u0004"u8, .. new byte[64]], "x.zip"));
        Assert.Equal(HttpStatusCode.BadRequest, fakeZip.Status);
        Assert.Contains("ML.NET", fakeZip.Detail, StringComparison.Ordinal);

        var wrongCount = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.UploadVersionAsync("scorer", GermanCredit.OnnxModel, "m.onnx",
            new UploadVersionMetadata(Features: OnnxFeatures.Take(5).ToList())));
        Assert.Contains("names 5 features but the model's input 'features' takes 7", wrongCount.Detail, StringComparison.Ordinal);

        var wrongKind = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.UploadVersionAsync("scorer", GermanCredit.MlNetModel, "m.zip",
            new UploadVersionMetadata(LabelColumn: "Label", Features: Contradicting())));
        Assert.Contains("'Personal' is declared numeric but the model takes string", wrongKind.Detail, StringComparison.Ordinal);

        var unknownFeature = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.UploadVersionAsync("scorer", GermanCredit.OnnxModel, "m.onnx",
            new UploadVersionMetadata(DataClassification: [new FeatureClassification("Salary", "personal")])));
        Assert.Contains("'Salary' is not a feature", unknownFeature.Detail, StringComparison.Ordinal);

        await using (var connection = await host.Database.OpenAsync())
        {
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM model_versions"));
        }

        Assert.False(Directory.Exists(Path.Combine(host.DataDirectory, "artifacts")) &&
                     Directory.EnumerateFiles(Path.Combine(host.DataDirectory, "artifacts"), "*", SearchOption.AllDirectories).Any());

        var v1 = await team.Developer.UploadVersionAsync("scorer", GermanCredit.OnnxModel, "m.onnx", new UploadVersionMetadata(Features: OnnxFeatures));
        Assert.Equal(GermanCredit.NumericColumns, v1.Signature.Features.Select(f => f.Name));
        Assert.Equal("features", v1.Signature.Inputs.Single().Name);
        Assert.Equal([-1L, 7L], v1.Signature.Inputs.Single().Shape);
        Assert.Equal("probability", v1.Signature.Outputs.Single().Name);
        var again = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.UploadVersionAsync("scorer", GermanCredit.OnnxModel, "copy.onnx"));
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("already version 1", again.Detail, StringComparison.Ordinal);
        Assert.Equal(GermanCredit.OnnxModel, await team.Validator.DownloadArtifactAsync("scorer", 1));

        var unnamed = await team.Developer.UploadVersionAsync("scorer", GermanCredit.MlNetModel, "m.zip", new UploadVersionMetadata(LabelColumn: "Label",
            Lineage: new VersionLineage(ParentVersion: 1)));
        Assert.Equal(2, unnamed.Version);
        Assert.Equal(1, unnamed.Lineage.ParentVersion);
        var badParent = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.UploadVersionAsync("scorer", [.. GermanCredit.OnnxModel, .. "x"u8], "m.onnx",
            new UploadVersionMetadata(Lineage: new VersionLineage(ParentVersion: 9))));
        Assert.True(badParent.Errors.ContainsKey("lineage.parentVersion") || badParent.Status == HttpStatusCode.BadRequest);
    }

    private static List<FeatureSpec> Contradicting()
    {
        using var model = Warden.Inference.ModelRuntime.Load(GermanCredit.MlNetModel, null, "Label");
        return model.Signature.Features.Select(f => f.Name == "Personal" ? f with { Kind = FeatureKinds.Numeric } : f).ToList();
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Cards_are_editable_in_draft_frozen_after_and_export_as_markdown(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        await team.Developer.CreateModelAsync(new CreateModelRequest("churn", "growth", 3));
        await team.Developer.UploadVersionAsync("churn", GermanCredit.OnnxModel, "m.onnx", new UploadVersionMetadata(Features: OnnxFeatures));
        await team.Developer.UpdateCardAsync("churn", 1, new ModelCard(IntendedUse: "first draft"));
        await team.Developer.UpdateCardAsync("churn", 1, RegistryScenario.Card);
        Assert.Equal(RegistryScenario.Card, await team.Validator.GetCardAsync("churn", 1));
        var classification = await team.Developer.ClassifyFeaturesAsync("churn", 1, [new FeatureClassification("Age", "personal", "pricing rule")]);
        Assert.Single(classification);

        var markdown = await team.Validator.GetCardMarkdownAsync("churn", 1);
        Assert.StartsWith("# Model card: churn v1", markdown, StringComparison.Ordinal);
        foreach (var heading in new[] { "## Intended use", "## Out-of-scope use", "## Training data", "## Evaluation data", "## Metrics", "## Ethical considerations", "## Caveats and recommendations" })
        {
            Assert.Contains(heading, markdown, StringComparison.Ordinal);
        }

        Assert.Contains("| Age | numeric | personal |", markdown, StringComparison.Ordinal);

        // Tier 3: one approver, no validator.
        await team.Developer.SubmitVersionAsync("churn", 1, "ready");
        var frozen = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.ClassifyFeaturesAsync("churn", 1, []));
        Assert.Equal(HttpStatusCode.Conflict, frozen.Status);
        var noValidation = await Assert.ThrowsAsync<WardenApiException>(() => team.Validator.ValidateVersionAsync("churn", 1, "checked"));
        Assert.Contains("needs no validator", noValidation.Detail, StringComparison.Ordinal);
        var approved = await team.Approver1.ApproveVersionAsync("churn", 1, "low risk, fine");
        Assert.Equal(VersionStates.Approved, approved.State);
        Assert.InRange(approved.ReviewDueAt!.Value, DateTimeOffset.UtcNow.AddMonths(36).AddDays(-1), DateTimeOffset.UtcNow.AddMonths(36).AddDays(1));
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_version_past_its_review_date_is_flagged_and_loses_its_alias(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine, fakeClock: true);
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        Assert.False((await team.Validator.GetModelAsync("credit-risk")).ReviewOverdue);

        host.Clock!.Advance(TimeSpan.FromDays(370));
        var model = await team.Validator.GetModelAsync("credit-risk");
        Assert.True(model.ReviewOverdue);
        Assert.True((await team.Validator.GetVersionAsync("credit-risk", 1)).ReviewOverdue);
        var refused = await Assert.ThrowsAsync<WardenApiException>(() => team.Operator.PromoteAsync("credit-risk", "challenger", 1, "again"));
        Assert.Contains("past its periodic review date", refused.Detail, StringComparison.Ordinal);

        // The sweeper runs on the (fake) clock's timer: advancing a year fired it. Wait for its transaction.
        for (var i = 0; i < 50 && (await team.Validator.GetModelAsync("credit-risk")).Aliases.Count > 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Empty((await team.Validator.GetModelAsync("credit-risk")).Aliases);
        var governance = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Warden.Server.Governance.GovernanceService>(host.App.Services);
        Assert.Equal(0, await governance.SweepOverdueReviewsAsync()); // nothing left to remove
        var history = await team.Validator.GetModelHistoryAsync("credit-risk", "champion");
        Assert.Null(history.AliasEvents[^1].Version);
        Assert.Contains("periodic review", history.AliasEvents[^1].Reason, StringComparison.Ordinal);
        var audit = await team.Admin.ListAuditAsync(new AuditQuery { Action = "aliases.remove" });
        Assert.Equal("system", Assert.Single(audit.Items).ActorKeyId);
    }
}
