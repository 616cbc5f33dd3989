using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Monitoring;
using Warden.Server.Platform;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The monitoring page: monitored versions, traffic volume per window, drift per feature, performance, fairness and data
/// quality over the kept windows, and the drift and quality report of one window.</summary>
public sealed class MonitoringModel(MonitoringService monitoring) : PageModel
{
    /// <summary>Every monitored version.</summary>
    public IReadOnlyList<MonitoredVersion> Monitored { get; private set; } = [];

    /// <summary>The version shown in detail, if any.</summary>
    public MonitoredVersion? Selected { get; private set; }

    /// <summary>Drift report per window of the selected version (null where it could not be computed), oldest first, with its
    /// features by name for the heat map's cells.</summary>
    public List<(TrafficWindow Window, DriftReport? Report, IReadOnlyDictionary<string, FeatureDrift> ByFeature)> Timeline { get; } = [];

    /// <summary>The window whose report is shown.</summary>
    public DriftReport? Report { get; private set; }

    /// <summary>Data quality of the same window.</summary>
    public DataQualityReport? Quality { get; private set; }

    /// <summary>Why there is no report, when there is none.</summary>
    public string? Problem { get; private set; }

    /// <summary>Features in report order (drifted first) for the heat map rows.</summary>
    public List<string> Features { get; } = [];

    /// <summary>Performance per window of the selected version (null: unknown version).</summary>
    public PerformanceReport? Performance { get; private set; }

    /// <summary>Performance over time (null: no label has arrived).</summary>
    public LineChart? PerformanceChart { get; private set; }

    /// <summary>Selection rate per group over time, one chart per sensitive attribute.</summary>
    public IReadOnlyList<LineChart> SelectionRateCharts { get; private set; } = [];

    /// <summary>Disparate impact per sensitive attribute over time (null: no fairness data).</summary>
    public LineChart? DisparateImpactChart { get; private set; }

    /// <summary>Data quality over time (null without a reference).</summary>
    public QualityCharts? QualityOverTime { get; private set; }

    /// <summary>Loads the page: every chart is computed once from one pass over the kept windows.</summary>
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

        // Performance and fairness need labels and sensitive attributes, not a reference profile.
        try
        {
            Performance = await monitoring.PerformanceAsync(Selected.Model, Selected.Version, null, cancellationToken);
            PerformanceChart = MonitoringCharts.Performance(Performance);
            var fairness = await monitoring.FairnessAsync(Selected.Model, Selected.Version, null, cancellationToken);
            SelectionRateCharts = MonitoringCharts.SelectionRates(fairness);
            DisparateImpactChart = MonitoringCharts.DisparateImpact(fairness);
        }
        catch (WardenProblemException)
        {
            // The version is no longer in the registry: only its traffic remains to show.
        }

        if (Selected.ReferenceRows is null)
        {
            Problem = "This version has no reference profile yet: upload its training or validation data (warden monitor reference).";
            return Page();
        }

        // One pass over the windows yields drift and the quality metrics of each (the reference read once).
        var metrics = await monitoring.RecentMetricsAsync(Selected.Model, Selected.Version, int.MaxValue, cancellationToken);
        QualityOverTime = MonitoringCharts.Quality(metrics);
        var reports = metrics.Where(m => m.Drift is not null).ToDictionary(m => m.Start, m => m.Drift!);
        foreach (var w in Selected.Windows)
        {
            var report = reports.GetValueOrDefault(w.Start.ToUnixTimeMilliseconds());
            Timeline.Add((w, report, report?.Features.ToDictionary(f => f.Feature, StringComparer.Ordinal) ?? new Dictionary<string, FeatureDrift>()));
        }

        var chosen = Timeline.LastOrDefault(t => window is null || t.Window.Start.ToUnixTimeMilliseconds() == window);
        Report = chosen.Report;
        if (Report is not null)
        {
            Quality = await monitoring.QualityAsync(Selected.Model, Selected.Version, Report.WindowStart, cancellationToken);
        }
        else
        {
            Problem = Selected.Windows.Count == 0 ? "No traffic has been served for this version since the server started." : "No report for that window.";
        }

        Features.AddRange((Report?.Features.Select(f => f.Feature) ?? []).Concat(Timeline.SelectMany(t => t.ByFeature.Keys)).Distinct());
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
