using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Server.Access;
using Warden.Server.Serving;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The deployments page: loaded versions, traffic weights, live request rate and latency per version.</summary>
public sealed class DeploymentsModel(DeploymentTable table, TrafficRouter router, ServingMetrics metrics) : PageModel
{
    /// <summary>One loaded route.</summary>
    public sealed record Row(string Model, string Alias, int Version, string Format, double Weight, bool Shadow, double Rate, double Failures, double LatencyMs);

    /// <summary>Rows shown.</summary>
    public List<Row> Rows { get; } = [];

    /// <summary>Loads the page.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

        foreach (var (model, alias, version) in table.Routes)
        {
            var policy = await router.GetAsync(model, cancellationToken);
            var total = policy.Routes.Sum(r => r.Weight);
            var weight = policy.Routes.Where(r => r.Alias == alias).Sum(r => r.Weight) / (total == 0 ? 1 : total);
            var (rate, failures, latency) = metrics.Live.TryGetValue((model, version.Version), out var live) ? live.Snapshot() : (0, 0, 0);
            Rows.Add(new Row(model, alias, version.Version, version.Signature.Format, weight, policy.Shadows?.Contains(alias) == true, rate, failures, latency));
        }

        return Page();
    }
}
