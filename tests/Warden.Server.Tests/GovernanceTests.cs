using System.Net;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The model-risk path on both engines: a credit model trained on German credit data goes through tier-1
/// approval with its refusals, is promoted, and the history answers "what served at T, and who approved it".</summary>
public sealed class GovernanceTests
{
    internal static readonly ModelCard FullCard = new(
        IntendedUse: "Ranking retail loan applications by credit risk for manual review.",
        OutOfScopeUse: "Automated rejection without human review; business lending.",
        TrainingData: "Statlog German credit, rows 1–700.",
        EvaluationData: "Statlog German credit, rows 701–1000 (hold-out).",
        Metrics: "ROC AUC, accuracy, F1 on the hold-out; disparate impact by sex/marital status and age.",
        EthicalConsiderations: "Age and sex are protected characteristics; fairness is monitored per group.",
        CaveatsAndRecommendations: "Small 1990s sample; recalibrate before use on current applicants.");

    internal static CreateModelRequest CreditModel(string name, int tier = 1) => new(
        name, "retail-credit-risk", tier, "Probability that an applicant repays", "Credit decisioning support",
        ModelTasks.BinaryClassification,
        [new SensitiveAttribute("Personal"), new SensitiveAttribute("Age", [25])],
        ["credit", "retail"],
        [new MetricThreshold("roc_auc", Min: 0.7)]);

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_tier_1_credit_model_goes_from_upload_to_champion_with_every_refusal_on_the_way(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        await team.Developer.CreateModelAsync(CreditModel("credit-risk"));
        var v1 = await team.Developer.UploadVersionAsync("credit-risk", GermanCredit.MlNetModel, "model.zip", new UploadVersionMetadata(
            LabelColumn: "Label",
            Lineage: new VersionLineage(CodeReference: "git:abc123", HyperParameters: new Dictionary<string, string> { ["trainer"] = "lbfgs" }),
            DataClassification: [new FeatureClassification("Age", "personal"), new FeatureClassification("Personal", "sensitive", "needed for fairness monitoring")]));
        Assert.Equal(VersionStates.Draft, v1.State);
        Assert.Equal("mlnet", v1.Format);
        Assert.Contains(v1.Signature.Features, f => f.Name == "Personal" && f.Kind == FeatureKinds.Categorical);
        Assert.DoesNotContain(v1.Signature.Features, f => f.Name == "Label");

        await team.Developer.UpdateCardAsync("credit-risk", 1, FullCard);
        var submitted = await team.Developer.SubmitVersionAsync("credit-risk", 1, "ready for validation");
        Assert.NotNull(submitted.ReviewDueAt);
        Assert.InRange(submitted.ReviewDueAt!.Value, DateTimeOffset.UtcNow.AddMonths(12).AddDays(-1), DateTimeOffset.UtcNow.AddMonths(12).AddDays(1));

        // The card is frozen once submitted.
        var frozen = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.UpdateCardAsync("credit-risk", 1, FullCard with { Metrics = "changed" }));
        Assert.Equal(HttpStatusCode.Conflict, frozen.Status);

        var run = await team.Validator.RunValidationAsync("credit-risk", 1, GermanCredit.HoldoutCsv(), "Class", "Good");
        Assert.Equal(300, run.Dataset.Rows);
        Assert.InRange(run.Metrics["roc_auc"], 0.7, 1.0);
        Assert.Equal(2, run.Fairness.Count);
        Assert.Equal(["< 25", "≥ 25"], run.Fairness.Single(f => f.Attribute == "Age").Groups.Select(g => g.Group));

        // Segregation of duties: the author cannot validate (and holds no validator role anyway: give her one to prove the rule).
        using (var admin = host.Client())
        {
            var authorAsValidator = await admin.CreateKeyAsync(new CreateApiKeyRequest("dana-validator", [Roles.Validator, Roles.Approver], null, "dana@bank.example"));
            using var dana = host.Client(authorAsValidator.Secret);
            var sod = await Assert.ThrowsAsync<WardenApiException>(() => dana.ValidateVersionAsync("credit-risk", 1, "looks fine to me"));
            Assert.Equal(HttpStatusCode.Forbidden, sod.Status);
            Assert.Contains("Segregation of duties", sod.Detail, StringComparison.Ordinal);
            Assert.Contains("authored", sod.Detail, StringComparison.Ordinal);
        }

        // Approval before validation is an illegal transition for tier 1.
        var early = await Assert.ThrowsAsync<WardenApiException>(() => team.Approver1.ApproveVersionAsync("credit-risk", 1, "ship it"));
        Assert.Equal(HttpStatusCode.Conflict, early.Status);

        var validated = await team.Validator.ValidateVersionAsync("credit-risk", 1, "independent validation passed: AUC and stability acceptable");
        Assert.Equal(VersionStates.Validated, validated.State);

        // The validator cannot also approve (one person, two sign-offs) — give him the approver role to prove it.
        using (var admin = host.Client())
        {
            var victorApprover = await admin.CreateKeyAsync(new CreateApiKeyRequest("victor-approver", [Roles.Approver], null, "victor@bank.example"));
            using var victor = host.Client(victorApprover.Secret);
            var twice = await Assert.ThrowsAsync<WardenApiException>(() => victor.ApproveVersionAsync("credit-risk", 1, "approving as well"));
            Assert.Equal(HttpStatusCode.Forbidden, twice.Status);
            Assert.Contains("two of the required sign-offs", twice.Detail, StringComparison.Ordinal);
        }

        // A failing gate blocks approval: Age is personal data without a justification.
        var gates = await team.Approver1.GetGatesAsync("credit-risk", 1);
        Assert.Contains(gates.Gates, g => g.Gate == "personal_data_justified" && g.Status == "fail" && g.Evidence.Contains("Age", StringComparison.Ordinal));
        Assert.Contains(gates.Gates, g => g.Gate == "model_card_complete" && g.Status == "pass");
        Assert.Contains(gates.Gates, g => g.Gate == "validation_metrics" && g.Status == "pass");
        var blocked = await Assert.ThrowsAsync<WardenApiException>(() => team.Approver1.ApproveVersionAsync("credit-risk", 1, "approve"));
        Assert.Equal(HttpStatusCode.Conflict, blocked.Status);
        Assert.Contains("personal_data_justified", blocked.Detail, StringComparison.Ordinal);
        Assert.Contains("personal_data_justified", blocked.Errors["gates"]);

        // Only an admin records a documented exception; then each failing gate is either fixed or excepted.
        var notAdmin = await Assert.ThrowsAsync<WardenApiException>(() =>
            team.Approver1.AddGateExceptionAsync("credit-risk", 1, new GateExceptionRequest("personal_data_justified", "Age is required by the credit policy to assess affordability.")));
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.Status);
        var report = await team.Admin.AddGateExceptionAsync("credit-risk", 1,
            new GateExceptionRequest("personal_data_justified", "Age is required by the credit policy to assess affordability."));
        foreach (var failing in report.Gates.Where(g => g.Status == "fail").ToList())
        {
            report = await team.Admin.AddGateExceptionAsync("credit-risk", 1, new GateExceptionRequest(failing.Gate, $"Accepted by the model risk committee, minute 2026-11 ({failing.Gate})."));
        }

        Assert.True(report.Passed);
        Assert.Contains(report.Gates, g => g.Gate == "personal_data_justified" && g.Status == "excepted");

        var first = await team.Approver1.ApproveVersionAsync("credit-risk", 1, "approved for champion");
        Assert.Equal(VersionStates.Validated, first.State); // tier 1 needs two approvers
        var again = await Assert.ThrowsAsync<WardenApiException>(() => team.Approver1.ApproveVersionAsync("credit-risk", 1, "approving twice"));
        Assert.Equal(HttpStatusCode.Forbidden, again.Status);
        var approved = await team.Approver2.ApproveVersionAsync("credit-risk", 1, "second approval");
        Assert.Equal(VersionStates.Approved, approved.State);
        Assert.Equal(["validation", "approval", "approval"], approved.SignOffs.Select(s => s.Kind));

        // Only operators move aliases.
        var devPromote = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.PromoteAsync("credit-risk", "champion", 1, "go live"));
        Assert.Equal(HttpStatusCode.Forbidden, devPromote.Status);
        var promoted = await team.Operator.PromoteAsync("credit-risk", "champion", 1, "go live");
        Assert.Null(promoted.PreviousVersion);
        var t1 = DateTimeOffset.UtcNow;
        await Task.Delay(20);

        // A second version: a draft cannot hold an alias; once approved it replaces v1, and rollback returns v1.
        var v2 = await team.Developer.UploadVersionAsync("credit-risk", GermanCredit.OnnxModel, "model.onnx", new UploadVersionMetadata(
            Features: GermanCredit.NumericColumns.Select(c => new FeatureSpec(c, FeatureKinds.Numeric, "float32")).ToList(),
            Lineage: new VersionLineage(ParentVersion: 1)));
        Assert.Equal(2, v2.Version);
        var draftPromote = await Assert.ThrowsAsync<WardenApiException>(() => team.Operator.PromoteAsync("credit-risk", "champion", 2, "try"));
        Assert.Equal(HttpStatusCode.Conflict, draftPromote.Status);
        Assert.Contains("Only approved versions", draftPromote.Detail, StringComparison.Ordinal);
        await team.Developer.UpdateCardAsync("credit-risk", 2, FullCard);
        await team.Developer.SubmitVersionAsync("credit-risk", 2, "numeric-only challenger");
        await team.Validator.RunValidationAsync("credit-risk", 2, GermanCredit.HoldoutCsv(), "Class", "Good");
        await team.Validator.ValidateVersionAsync("credit-risk", 2, "validated");
        foreach (var failing in (await team.Admin.GetGatesAsync("credit-risk", 2)).Gates.Where(g => g.Status == "fail"))
        {
            await team.Admin.AddGateExceptionAsync("credit-risk", 2, new GateExceptionRequest(failing.Gate, $"Accepted by the model risk committee ({failing.Gate})."));
        }

        await team.Approver1.ApproveVersionAsync("credit-risk", 2, "ok");
        await team.Approver2.ApproveVersionAsync("credit-risk", 2, "ok");
        var moved = await team.Operator.PromoteAsync("credit-risk", "champion", 2, "better calibrated");
        Assert.Equal(1, moved.PreviousVersion);
        var t2 = DateTimeOffset.UtcNow;
        await Task.Delay(20);

        var atT1 = await team.Validator.GetModelHistoryAsync("credit-risk", "champion", t1);
        Assert.Equal(1, atT1.Holding!.Version);
        Assert.Equal(["alice@bank.example", "bob@bank.example"], atT1.Holding.Approvals.Select(a => a.Person));
        Assert.Equal("operator", atT1.Holding.PromotedBy);
        var atT2 = await team.Validator.GetModelHistoryAsync("credit-risk", "champion", t2);
        Assert.Equal(2, atT2.Holding!.Version);
        var before = await team.Validator.GetModelHistoryAsync("credit-risk", "champion", t1.AddDays(-1));
        Assert.Null(before.Holding!.Version);

        var rolledBack = await team.Operator.RollbackAsync("credit-risk", "champion", "v2 misbehaves");
        Assert.Equal(1, rolledBack.Version);
        Assert.Equal(2, rolledBack.PreviousVersion);
        var model = await team.Validator.GetModelAsync("credit-risk");
        Assert.Equal(1, model.Aliases["champion"]);
        var history = await team.Validator.GetModelHistoryAsync("credit-risk");
        Assert.Equal([1, 2, 1], history.AliasEvents.Select(e => e.Version!.Value));

        // Retiring the champion removes the alias; retired versions accept nothing more.
        var retired = await team.Operator.RetireVersionAsync("credit-risk", 1, "superseded");
        Assert.Empty(retired.Aliases);
        Assert.Empty((await team.Validator.GetModelAsync("credit-risk")).Aliases);
        var illegal = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.SubmitVersionAsync("credit-risk", 1, "again"));
        Assert.Equal(HttpStatusCode.Conflict, illegal.Status);
        Assert.Contains("allowed from retired: none", illegal.Detail, StringComparison.Ordinal);

        var versionHistory = await team.Validator.GetVersionHistoryAsync("credit-risk", 1);
        Assert.Equal(["draft", "submitted", "validated", "approved", "retired"], versionHistory.Transitions.Select(t => t.To));
        Assert.All(versionHistory.Transitions, t => Assert.False(string.IsNullOrEmpty(t.Reason)));
        Assert.NotEmpty(versionHistory.GateExceptions);

        using var auditor = host.Client();
        var audit = await auditor.VerifyAuditAsync();
        Assert.True(audit.Intact);
        var trail = (await auditor.ListAuditAsync(new AuditQuery { Target = "model:credit-risk", PageSize = 500 })).Items.Select(r => (r.Action, r.Outcome)).ToList();
        Assert.Contains(("versions.validate", AuditOutcome.Denied), trail);
        Assert.Contains(("versions.approve", AuditOutcome.Rejected), trail);
        Assert.Contains(("aliases.promote", AuditOutcome.Success), trail);
        Assert.Contains(("aliases.rollback", AuditOutcome.Success), trail);
    }
}
