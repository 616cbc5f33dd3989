using Warden.Contracts;

namespace Warden.Server.Tests.Infrastructure;

/// <summary>Ready-made registry states for tests that need them as a starting point.</summary>
public static class RegistryScenario
{
    /// <summary>A complete model card.</summary>
    public static readonly ModelCard Card = new(
        "Ranking retail loan applications by credit risk for manual review.", "Automated rejection without human review.",
        "Statlog German credit, rows 1–700.", "Statlog German credit, rows 701–1000.", "ROC AUC, F1, disparate impact by group.",
        "Age and sex are protected characteristics.", "Small 1990s sample; recalibrate before use.");

    /// <summary>Registers <paramref name="name"/> (tier 1, German credit) and takes v1 through validation and both
    /// approvals (excepting whatever gate fails, as an admin would after committee review), then promotes it to champion.</summary>
    public static async Task ApprovedChampionAsync(Team team, string name)
    {
        await team.Developer.CreateModelAsync(new CreateModelRequest(name, "retail-credit-risk", 1, "Repayment probability", "Credit decisioning support",
            ModelTasks.BinaryClassification, [new SensitiveAttribute("Personal"), new SensitiveAttribute("Age", [25])], ["credit"],
            [new MetricThreshold("roc_auc", Min: 0.7)]));
        await team.Developer.UploadVersionAsync(name, GermanCredit.MlNetModel, "model.zip", new UploadVersionMetadata(LabelColumn: "Label",
            DataClassification: [new FeatureClassification("Age", "personal", "affordability rules need age")]));
        await team.Developer.UpdateCardAsync(name, 1, Card);
        await team.Developer.SubmitVersionAsync(name, 1, "ready");
        await team.Validator.RunValidationAsync(name, 1, GermanCredit.HoldoutCsv(), "Class", "Good");
        await team.Validator.ValidateVersionAsync(name, 1, "validated");
        foreach (var failing in (await team.Admin.GetGatesAsync(name, 1)).Gates.Where(g => g.Status == "fail"))
        {
            await team.Admin.AddGateExceptionAsync(name, 1, new GateExceptionRequest(failing.Gate, $"Accepted by the model risk committee ({failing.Gate})."));
        }

        await team.Approver1.ApproveVersionAsync(name, 1, "approved");
        await team.Approver2.ApproveVersionAsync(name, 1, "approved");
        await team.Operator.PromoteAsync(name, "champion", 1, "first release");
    }

    /// <summary>Registers <paramref name="name"/> (tier 3: one approver), uploads <paramref name="artifact"/> as the next
    /// version with a complete card, approves it and promotes it to <paramref name="alias"/>; returns the version number.</summary>
    public static async Task<int> ApprovedAsync(Team team, string name, byte[] artifact, string fileName, UploadVersionMetadata? metadata = null,
        string alias = "champion")
    {
        try
        {
            await team.Developer.CreateModelAsync(new CreateModelRequest(name, "team", 3, "test model"));
        }
        catch (Warden.Client.WardenApiException e) when (e.Status == System.Net.HttpStatusCode.Conflict)
        {
            // Already registered: add a version.
        }

        var version = (await team.Developer.UploadVersionAsync(name, artifact, fileName, metadata)).Version;
        await team.Developer.UpdateCardAsync(name, version, Card);
        await team.Developer.SubmitVersionAsync(name, version, "ready");
        await team.Approver1.ApproveVersionAsync(name, version, "approved");
        await team.Operator.PromoteAsync(name, alias, version, "release");
        return version;
    }
}
