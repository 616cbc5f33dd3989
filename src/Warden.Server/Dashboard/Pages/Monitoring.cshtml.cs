using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Monitoring;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The monitoring page: monitored versions, traffic volume per window, drift per feature over the kept windows, and the
/// drift report of one window.</summary>
public sealed class MonitoringModel(MonitoringService monitoring) : PageModel
{
    /// <summary>Every monitored version.</summary>
    public IReadOnlyList<MonitoredVersion> Monitored { get; private set; } = [];

    /// <summary>The version shown in detail, if any.</summary>
    public MonitoredVersion? Selected { get; private set; }

    /// <summary>Drift report per window of the selected version (null where it could not be computed), oldest first.</summary>
    public List<(TrafficWindow Window, DriftReport? Report)> Timeline { get; } = [];

    /// <summary>The window whose report is shown.</summary>
    public DriftReport? Report { get; private set; }

    /// <summary>Data quality of the same window.</summary>
    public DataQualityReport? Quality { get; private set; }

    /// <summary>Why there is no report, when there is none.</summary>
    public string? Problem { get; private set; }

    /// <summary>Features in report order (drifted first) for the heat map rows.</summary>
    public List<string> Features { get; } = [];

    /// <summary>Loads the page.</summary>
    public async Task<IActionResult> OnGetAsync(string? model, int? version, long? window, CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

        Monitored = await monitoring.MonitoredAsync(null, cancellationToken);
        Selected = Monitored.FirstOrDefault(m => m.Model == model && (version is null || m.Version == version))
                   ?? (model is null ? Monitored.FirstOrDefault(m => m.Windows.Count > 0) ?? (Monitored.Count > 0 ? Monitored[0] : null) : null);
        if (Selected is null)
        {
            return Page();
        }

        if (Selected.ReferenceRows is null)
        {
            Problem = "This version has no reference profile yet: upload its training or validation data (warden monitor reference).";
            return Page();
        }

        var reports = await monitoring.DriftTimelineAsync(Selected.Model, Selected.Version, cancellationToken);
        Timeline.AddRange(Selected.Windows.Select(w => (w, (DriftReport?)reports.FirstOrDefault(r => r.WindowStart == w.Start))));

        var chosen = Timeline.LastOrDefault(t => window is null || t.Window.Start.ToUnixTimeMilliseconds() == window);
        Report = chosen.Report;
        if (Report is not null)
        {
            Quality = await monitoring.QualityAsync(Selected.Model, Selected.Version, Report.WindowStart, cancellationToken);
        }
        if (Report is null)
        {
            Problem = Selected.Windows.Count == 0 ? "No traffic has been served for this version since the server started." : "No report for that window.";
        }

        Features.AddRange((Report?.Features.Select(f => f.Feature) ?? []).Concat(Timeline.SelectMany(t => t.Report?.Features.Select(f => f.Feature) ?? [])).Distinct());
        return Page();
    }

    /// <summary>Link to a version (and optionally a window) on this page.</summary>
    public static string Link(MonitoredVersion m, TrafficWindow? w = null) =>
        $"/monitoring?model={Uri.EscapeDataString(m.Model)}&version={m.Version}" + (w is null ? "" : $"&window={w.Start.ToUnixTimeMilliseconds()}");

    /// <summary>How far a feature result is past (≥ 1) or short of (&lt; 1) its threshold.</summary>
    public static double Severity(FeatureDrift f) => MonitoringService.Severity(f.Statistic, f.PValue, f.Threshold);

    /// <summary>Heat-map cell tooltip.</summary>
    public static string Tip(FeatureDrift? f) => f is null
        ? "no data"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{f.Method} {f.Statistic:0.####}{(f.PValue is { } p ? $" p={p:0.####}" : "")}: {(f.Drifted ? "drift" : "no drift")}");

    /// <summary>Heat-map cell colour for a feature result.</summary>
    public static string Cell(FeatureDrift? f)
    {
        if (f is null)
        {
            return "#eef0f3";
        }

        if (!f.Drifted)
        {
            return "#e3f6ee";
        }

        var s = Math.Clamp(Math.Log10(Severity(f)) / 3, 0, 1);
        var alpha = 0.35 + 0.65 * s;
        return $"rgba(180,35,24,{alpha.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)})";
    }
}
