using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Experiments;
using Warden.Server.Platform;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The experiments page: every experiment, and one in detail — per-arm results of each metric, SRM, the primary
/// metric's always-valid interval over time, a bandit's allocation over time, and pending promotion proposals.</summary>
public sealed class ExperimentsModel(ExperimentService experiments, ExperimentEvaluator evaluator, PromotionProposals proposals) : PageModel
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

    /// <summary>Promotion proposals of the selected experiment.</summary>
    public IReadOnlyList<PromotionProposal> Proposals { get; private set; } = [];

    /// <summary>Loads the page.</summary>
    public async Task<IActionResult> OnGetAsync(string? name, CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

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
            Allocations = Selected.Kind == ExperimentKinds.Bandit ? await evaluator.AllocationsAsync(Selected.Name, cancellationToken) : [];
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
