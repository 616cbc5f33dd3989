using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Experiments;
using Warden.Server.Platform;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The experiments page: every experiment, and one in detail — per-arm results of each metric, native metrics (latency,
/// error rate, drift, fairness), SRM, the primary metric's always-valid interval over time, a bandit's allocation over time (a
/// linucb experiment's also per context bucket), off-policy evaluation of a candidate policy, and pending promotion proposals.</summary>
public sealed class ExperimentsModel(ExperimentService experiments, ExperimentEvaluator evaluator, PromotionProposals proposals, ExperimentOffPolicy offPolicy)
    : PageModel
{
    /// <summary>Every experiment, newest first.</summary>
    public IReadOnlyList<ExperimentInfo> All { get; private set; } = [];

    /// <summary>The experiment shown in detail.</summary>
    public ExperimentInfo? Selected { get; private set; }

    /// <summary>Its results.</summary>
    public ExperimentResults? Results { get; private set; }

    /// <summary>The primary metric's always-valid interval over time.</summary>
    public IReadOnlyList<IntervalPoint> Timeline { get; private set; } = [];

    /// <summary>A bandit's allocations.</summary>
    public IReadOnlyList<BanditAllocationRecord> Allocations { get; private set; } = [];

    /// <summary>A linucb experiment's served shares per period in buckets of its first context feature.</summary>
    internal IReadOnlyList<ContextBucketAllocation> ContextAllocations { get; private set; } = [];

    /// <summary>Promotion proposals of the selected experiment.</summary>
    public IReadOnlyList<PromotionProposal> Proposals { get; private set; } = [];

    /// <summary>Candidate policy: the probability of each arm where no rule applies.</summary>
    [BindProperty]
    public Dictionary<string, double?> PolicyArms { get; set; } = [];

    /// <summary>Candidate policy: the context feature of the optional rule.</summary>
    [BindProperty]
    public string? RuleFeature { get; set; }

    /// <summary>The rule matches values ≥ this.</summary>
    [BindProperty]
    public double? RuleMin { get; set; }

    /// <summary>The rule matches values &lt; this.</summary>
    [BindProperty]
    public double? RuleMax { get; set; }

    /// <summary>The rule matches this value.</summary>
    [BindProperty]
    public string? RuleValue { get; set; }

    /// <summary>The rule's probability of each arm.</summary>
    [BindProperty]
    public Dictionary<string, double?> RuleArms { get; set; } = [];

    /// <summary>The reward metric (default: the primary).</summary>
    [BindProperty]
    public string? PolicyMetric { get; set; }

    /// <summary>1 − the confidence level of the intervals.</summary>
    [BindProperty]
    public double PolicyAlpha { get; set; } = 0.05;

    /// <summary>The answer of the last off-policy evaluation.</summary>
    public OffPolicyResult? OffPolicy { get; private set; }

    /// <summary>Why the last off-policy evaluation was refused.</summary>
    public string? OffPolicyError { get; private set; }

    /// <summary>Loads the page.</summary>
    public async Task<IActionResult> OnGetAsync(string? name, CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

        return await LoadAsync(name, cancellationToken);
    }

    /// <summary>Evaluates the candidate policy in the form on the selected experiment's logged decisions (changes nothing).</summary>
    public async Task<IActionResult> OnPostOffPolicyAsync(string? name, CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

        if (name is not null)
        {
            var rules = new List<OffPolicyRule>();
            if (!string.IsNullOrWhiteSpace(RuleFeature))
            {
                rules.Add(new OffPolicyRule(RuleFeature, Probabilities(RuleArms), string.IsNullOrWhiteSpace(RuleValue) ? null : RuleValue.Trim(), RuleMin, RuleMax));
            }

            try
            {
                OffPolicy = await offPolicy.EvaluateAsync(name, new OffPolicyRequest(Probabilities(PolicyArms), rules.Count > 0 ? rules : null,
                    string.IsNullOrWhiteSpace(PolicyMetric) ? null : PolicyMetric, PolicyAlpha), cancellationToken);
            }
            catch (WardenProblemException e)
            {
                OffPolicyError = e.Errors is { Count: > 0 } errors ? string.Join("; ", errors.Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}")) : e.Message;
            }
        }

        return await LoadAsync(name, cancellationToken);
    }

    private static Dictionary<string, double> Probabilities(Dictionary<string, double?> form) =>
        form.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.Value, StringComparer.Ordinal);

    private async Task<IActionResult> LoadAsync(string? name, CancellationToken cancellationToken)
    {
        All = await experiments.ListAsync(null, null, cancellationToken);
        Selected = name is null ? All.FirstOrDefault(e => e.Status == ExperimentStatuses.Running) ?? (All.Count > 0 ? All[0] : null)
            : All.FirstOrDefault(e => e.Name == name);
        if (Selected is null)
        {
            return name is null ? Page() : NotFound();
        }

        try
        {
            Results = await evaluator.ResultsAsync(Selected.Name, null, cancellationToken);
            Timeline = await evaluator.TimelineAsync(Selected.Name, 12, cancellationToken);
            Allocations = Selected.Kind is ExperimentKinds.Bandit or ExperimentKinds.LinUcb ? await evaluator.AllocationsAsync(Selected.Name, cancellationToken) : [];
            ContextAllocations = Selected.Kind == ExperimentKinds.LinUcb ? await evaluator.ContextAllocationsAsync(Selected.Name, cancellationToken) : [];
        }
        catch (WardenProblemException)
        {
            // Shown as "no results yet".
        }

        Proposals = (await proposals.ListAsync(null, cancellationToken)).Where(p => p.Experiment == Selected.Name).ToList();
        return Page();
    }

    /// <summary>Link to an experiment.</summary>
    public static string Link(ExperimentInfo e) => "/experiments?name=" + Uri.EscapeDataString(e.Name);

    /// <summary>A percentage for a lift.</summary>
    public static string Percent(double? x) => x is { } v && double.IsFinite(v) ? v.ToString("+0.0%;-0.0%;0.0%", System.Globalization.CultureInfo.InvariantCulture) : "—";
}
