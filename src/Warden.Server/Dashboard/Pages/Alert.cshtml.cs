using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Alerts;
using Warden.Server.Audit;
using Warden.Server.Platform;

namespace Warden.Server.Dashboard.Pages;

/// <summary>One alert: what breached, its root cause ranking, and (for keys that manage alerts) acknowledge and resolve.</summary>
public sealed class AlertModel(AlertService alerts, AuditScope scope) : PageModel
{
    /// <summary>The alert.</summary>
    public Alert Alert { get; private set; } = null!;

    /// <summary>Its rule, unless deleted since.</summary>
    public AlertRule? Rule { get; private set; }

    /// <summary>Why the last action failed.</summary>
    public string? Error { get; private set; }

    /// <summary>True when the signed-in key may acknowledge and resolve.</summary>
    public bool CanManage { get; private set; }

    /// <summary>Shows the alert.</summary>
    public Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken) => LoadAsync(id, cancellationToken);

    /// <summary>Acknowledges a firing alert (audited).</summary>
    public Task<IActionResult> OnPostAcknowledgeAsync(string id, string? returnUrl, CancellationToken cancellationToken) =>
        ChangeAsync(id, returnUrl, alerts.AcknowledgeAsync, cancellationToken);

    /// <summary>Resolves an open alert by hand (audited).</summary>
    public Task<IActionResult> OnPostResolveAsync(string id, string? returnUrl, CancellationToken cancellationToken) =>
        ChangeAsync(id, returnUrl, alerts.ResolveAsync, cancellationToken);

    /// <summary>What the root cause scores mean for this alert's metric.</summary>
    public string ScoreMeaning => Alert.Metric switch
    {
        _ when Alert.Metric.StartsWith("drift.", StringComparison.Ordinal) =>
            "Features ranked by drift (statistic over its threshold) × permutation importance from the reference data.",
        _ when Alert.Metric.StartsWith("performance.", StringComparison.Ordinal) =>
            "Segments ranked by their contribution to the increase in error from the earlier windows to this one.",
        _ when Alert.Metric.StartsWith("fairness.", StringComparison.Ordinal) => $"{Alert.Metric} of each sensitive attribute, furthest from the threshold first.",
        _ => $"{Alert.Metric} per feature in the alert's window.",
    };

    private async Task<IActionResult> ChangeAsync(string id, string? returnUrl, Func<string, AuditScope, CancellationToken, Task<Alert>> change, CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ManageAlerts))
        {
            return Forbid();
        }

        try
        {
            await change(id, scope, cancellationToken);
        }
        catch (WardenProblemException e)
        {
            if (e.Status == StatusCodes.Status404NotFound)
            {
                return NotFound();
            }

            Error = e.Message;
            return await LoadAsync(id, cancellationToken);
        }

        return Url.IsLocalUrl(returnUrl) ? LocalRedirect(returnUrl) : RedirectToPage("/Alert", new { id });
    }

    private async Task<IActionResult> LoadAsync(string id, CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

        try
        {
            Alert = await alerts.GetAlertAsync(id, cancellationToken);
        }
        catch (WardenProblemException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return NotFound();
        }

        var rules = await alerts.ListRulesAsync(Alert.Model, cancellationToken);
        Rule = rules.FirstOrDefault(r => r.Id == Alert.RuleId);
        CanManage = DashboardFormat.Can(User, Permission.ManageAlerts);
        return Page();
    }
}
