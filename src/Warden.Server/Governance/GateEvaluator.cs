using System.Globalization;
using Warden.Contracts;
using Warden.Server.Registry;

namespace Warden.Server.Governance;

/// <summary>Gate verdict words.</summary>
public static class GateStatus
{
    /// <summary>The gate is met.</summary>
    public const string Pass = "pass";

    /// <summary>The gate is not met: approval is blocked.</summary>
    public const string Fail = "fail";

    /// <summary>The gate does not apply to this model.</summary>
    public const string NotApplicable = "not_applicable";

    /// <summary>The gate fails but an admin recorded a documented exception.</summary>
    public const string Excepted = "excepted";
}

/// <summary>Evaluates one compliance gate against a version, its model and its latest validation run.</summary>
internal static class GateEvaluator
{
    public static GateResult Evaluate(string gate, ModelRow model, VersionRow version, ValidationRunInfo? latest, TierPolicy policy, DateTimeOffset now) => gate switch
    {
        Gates.ModelCardComplete => CardComplete(version),
        Gates.SignaturePresent => version.ParsedSignature.Inputs.Count > 0
            ? new(gate, GateStatus.Pass, $"{version.ParsedSignature.Inputs.Count} input(s), {version.ParsedSignature.Outputs.Count} output(s), {version.ParsedSignature.Features.Count} feature(s)")
            : new(gate, GateStatus.Fail, "no signature was read from the artifact"),
        Gates.ValidationMetrics => Metrics(model, latest),
        Gates.Fairness => Fairness(model, latest, policy),
        Gates.PersonalDataJustified => PersonalData(version),
        Gates.ReviewDateSet => version.ReviewDueAt is { } due
            ? due > now.ToUnixTimeMilliseconds()
                ? new(gate, GateStatus.Pass, $"review due {DateTimeOffset.FromUnixTimeMilliseconds(due):yyyy-MM-dd}")
                : new(gate, GateStatus.Fail, $"review date {DateTimeOffset.FromUnixTimeMilliseconds(due):yyyy-MM-dd} has passed")
            : new(gate, GateStatus.Fail, "no periodic review date is set"),
        _ => new(gate, GateStatus.NotApplicable, "unknown gate"),
    };

    private static GateResult CardComplete(VersionRow version)
    {
        var missing = RegistryService.CardSections(version.ParsedCard).Where(s => string.IsNullOrWhiteSpace(s.Text)).Select(s => s.Section).ToList();
        return missing.Count == 0
            ? new(Gates.ModelCardComplete, GateStatus.Pass, "all 7 sections are filled in")
            : new(Gates.ModelCardComplete, GateStatus.Fail, $"missing section(s): {string.Join(", ", missing)}");
    }

    private static GateResult Metrics(ModelRow model, ValidationRunInfo? latest)
    {
        var thresholds = model.Thresholds;
        if (thresholds.Count == 0)
        {
            return new(Gates.ValidationMetrics, GateStatus.NotApplicable, "the model declares no metric thresholds");
        }

        if (latest is null)
        {
            return new(Gates.ValidationMetrics, GateStatus.Fail, "no validation run has been recorded");
        }

        var findings = new List<string>();
        var failed = false;
        foreach (var t in thresholds)
        {
            if (!latest.Metrics.TryGetValue(t.Metric, out var value) || double.IsNaN(value))
            {
                findings.Add($"{t.Metric} not measured");
                failed = true;
                continue;
            }

            var ok = (t.Min is null || value >= t.Min) && (t.Max is null || value <= t.Max);
            failed |= !ok;
            var bounds = string.Join(", ", new[] { t.Min is { } lo ? $"min {F(lo)}" : null, t.Max is { } hi ? $"max {F(hi)}" : null }.Where(b => b is not null));
            findings.Add($"{t.Metric} {F(value)} ({bounds}) {(ok ? "met" : "NOT met")}");
        }

        return new(Gates.ValidationMetrics, failed ? GateStatus.Fail : GateStatus.Pass, $"run {latest.Id}: {string.Join("; ", findings)}");
    }

    private static GateResult Fairness(ModelRow model, ValidationRunInfo? latest, TierPolicy policy)
    {
        var attributes = model.Sensitive;
        if (attributes.Count == 0)
        {
            return new(Gates.Fairness, GateStatus.NotApplicable, "the model declares no sensitive attributes");
        }

        if (model.Task != ModelTasks.BinaryClassification)
        {
            return new(Gates.Fairness, GateStatus.NotApplicable, "selection and true positive rates are defined for classifiers");
        }

        if (latest is null)
        {
            return new(Gates.Fairness, GateStatus.Fail, "no validation run has been recorded");
        }

        var findings = new List<string>();
        var failed = false;
        foreach (var attribute in attributes)
        {
            var result = latest.Fairness.FirstOrDefault(f => f.Attribute == attribute.Name);
            if (result is null)
            {
                findings.Add($"{attribute.Name}: not in the validation data");
                failed = true;
                continue;
            }

            var di = result.DisparateImpact >= policy.MinDisparateImpact;
            var eo = result.EqualOpportunityDifference <= policy.MaxEqualOpportunityDifference;
            failed |= !(di && eo);
            findings.Add($"{attribute.Name}: disparate impact {F(result.DisparateImpact)} {(di ? "≥" : "<")} {F(policy.MinDisparateImpact)}, " +
                         $"equal-opportunity difference {F(result.EqualOpportunityDifference)} {(eo ? "≤" : ">")} {F(policy.MaxEqualOpportunityDifference)}");
        }

        return new(Gates.Fairness, failed ? GateStatus.Fail : GateStatus.Pass, string.Join("; ", findings));
    }

    private static GateResult PersonalData(VersionRow version)
    {
        var personal = version.Classification.Where(c => c.Classification is "personal" or "sensitive").ToList();
        if (personal.Count == 0)
        {
            return new(Gates.PersonalDataJustified, GateStatus.NotApplicable, "no feature is classified personal or sensitive");
        }

        var missing = personal.Where(c => string.IsNullOrWhiteSpace(c.Justification)).Select(c => c.Feature).ToList();
        return missing.Count == 0
            ? new(Gates.PersonalDataJustified, GateStatus.Pass, $"{personal.Count} personal/sensitive feature(s), each justified")
            : new(Gates.PersonalDataJustified, GateStatus.Fail, $"no justification for: {string.Join(", ", missing)}");
    }

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
