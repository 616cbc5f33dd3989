using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Alerts;
using Warden.Server.Platform;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The alert list (by state and model, newest first) and the alert rules.</summary>
public sealed class AlertsModel(AlertService alerts) : PageModel
{
    /// <summary>The states the filter offers ("" for all).</summary>
    public static readonly string[] States = ["", "open", "firing", "acknowledged", "resolved"];

    /// <summary>Most alerts listed.</summary>
    public const int Limit = 200;

    /// <summary>The alerts, newest first.</summary>
    public IReadOnlyList<Alert> Alerts { get; private set; } = [];

    /// <summary>The rules (of the chosen model, if any).</summary>
    public IReadOnlyList<AlertRule> Rules { get; private set; } = [];

    /// <summary>Models with rules, for the filter.</summary>
    public IReadOnlyList<string> Models { get; private set; } = [];

    /// <summary>The state filter ("" for all).</summary>
    public string StateFilter { get; private set; } = "";

    /// <summary>The model filter ("" for all).</summary>
    public string ModelFilter { get; private set; } = "";

    /// <summary>True when the signed-in key may acknowledge and resolve.</summary>
    public bool CanManage { get; private set; }

    /// <summary>Loads the lists.</summary>
    public async Task<IActionResult> OnGetAsync(string? state, string? model, CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

        StateFilter = States.Contains(state) ? state! : "";
        ModelFilter = model ?? "";
        CanManage = DashboardFormat.Can(User, Permission.ManageAlerts);
        var rules = await alerts.ListRulesAsync(null, cancellationToken);
        Models = rules.Select(r => r.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        Rules = rules.Where(r => ModelFilter.Length == 0 || r.Model == ModelFilter).ToList();
        Alerts = await alerts.ListAlertsAsync(StateFilter.Length == 0 ? null : StateFilter, ModelFilter.Length == 0 ? null : ModelFilter, Limit, cancellationToken);
        return Page();
    }

    /// <summary>This page with the current filters (where an action on a row returns).</summary>
    public string Self() => "/alerts" + (StateFilter.Length + ModelFilter.Length == 0 ? "" :
        "?" + string.Join('&', new[] { ("state", StateFilter), ("model", ModelFilter) }.Where(p => p.Item2.Length > 0).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}")));
}
