using Warden.Contracts;
using Warden.Server.Monitoring;

namespace Warden.Server.Dashboard;

/// <summary>The monitoring page's charts over time, built once per page load from the per-window reports (each a single pass
/// over the windows).</summary>
public static class MonitoringCharts
{
    /// <summary>Most features drawn in one quality chart (the ones with the highest values).</summary>
    public const int MaxQualityFeatures = 8;

    private static readonly (string Key, string Name)[] ClassifierMetrics = [("accuracy", "Accuracy"), ("roc_auc", "ROC AUC"), ("f1", "F1")];
    private static readonly (string Key, string Name)[] RegressorMetrics = [("mae", "MAE"), ("rmse", "RMSE")];

    /// <summary>Performance per window: a line per headline metric (accuracy, ROC AUC and F1 for classifiers; MAE and RMSE for
    /// regressors) over bars of label coverage. Null when no window has a label yet.</summary>
    public static LineChart? Performance(PerformanceReport report)
    {
        if (report.Windows.Count == 0 || report.Windows.All(w => w.Labelled == 0))
        {
            return null;
        }

        var regression = report.Task == ModelTasks.Regression;
        var metrics = regression ? RegressorMetrics : ClassifierMetrics;
        var series = metrics.Select(m => new ChartSeries(m.Name, report.Windows.Select(w => w.Metrics.TryGetValue(m.Key, out var v) ? v : null).ToList())).ToList();
        return new LineChart("performance-chart", $"Performance per window ({string.Join(", ", metrics.Select(m => m.Name))}) with label coverage",
            regression ? "error" : "metric", report.Windows.Select(w => w.WindowStart).ToList(), series)
        {
            Max = regression ? null : 1,
            Bars = new ChartSeries("Label coverage", report.Windows.Select(w => (double?)w.LabelCoverage).ToList()),
        };
    }

    /// <summary>Selection rate per group over time, one chart per sensitive attribute (groups too small to be judged in their
    /// latest window are dashed).</summary>
    public static IReadOnlyList<LineChart> SelectionRates(FairnessTimeline timeline)
    {
        var windows = timeline.Windows.Select(w => w.WindowStart).ToList();
        var charts = new List<LineChart>();
        foreach (var attribute in Attributes(timeline))
        {
            // One lookup per window: attribute → group → result, so the series below are built in one pass.
            var byWindow = timeline.Windows.Select(w => w.Attributes.FirstOrDefault(a => a.Attribute == attribute)?.Groups.ToDictionary(g => g.Group, StringComparer.Ordinal)).ToList();
            var groups = byWindow.SelectMany(g => g?.Keys ?? Enumerable.Empty<string>()).Distinct().Order(StringComparer.Ordinal).ToList();
            var series = groups.Select(group =>
            {
                var values = byWindow.Select(g => g is not null && g.TryGetValue(group, out var r) ? r.SelectionRate : (double?)null).ToList();
                var latest = byWindow.LastOrDefault(g => g is not null && g.ContainsKey(group))![group];
                return new ChartSeries(latest.Judged ? group : $"{group} (too small to judge)", values, Muted: !latest.Judged);
            }).ToList();
            charts.Add(new LineChart($"fairness-{Slug(attribute)}-chart", $"Selection rate per group of {attribute}", "selection rate", windows, series) { Max = 1, Format = "0.##" });
        }

        return charts;
    }

    /// <summary>Disparate impact (lowest selection rate / highest among judged groups) per sensitive attribute over time, with the
    /// four-fifths rule at 0.8. Null without any attribute.</summary>
    public static LineChart? DisparateImpact(FairnessTimeline timeline)
    {
        var attributes = Attributes(timeline);
        if (attributes.Count == 0)
        {
            return null;
        }

        var series = attributes.Select(attribute => new ChartSeries(attribute,
            timeline.Windows.Select(w => w.Attributes.FirstOrDefault(a => a.Attribute == attribute)?.DisparateImpact).ToList())).ToList();
        var max = Math.Max(1, series.SelectMany(s => s.Values).OfType<double>().DefaultIfEmpty(1).Max());
        return new LineChart("disparate-impact-chart", "Disparate impact per sensitive attribute, with the four-fifths rule at 0.8", "disparate impact",
            timeline.Windows.Select(w => w.WindowStart).ToList(), series)
        {
            Max = Math.Ceiling(max * 10) / 10,
            Format = "0.##",
            Rules = [new ChartRule("four-fifths rule (0.8)", 0.8)],
        };
    }

    /// <summary>Missing share, out-of-domain share (per feature; features at zero in every window left out, at most
    /// <see cref="MaxQualityFeatures"/>) and schema violations per window, from the alert metrics of every kept window.</summary>
    public static QualityCharts Quality(IReadOnlyList<MonitoringService.WindowMetrics> newestFirst)
    {
        var windows = newestFirst.Where(w => w.Rows > 0).OrderBy(w => w.Start).ToList();
        var starts = windows.Select(w => DateTimeOffset.FromUnixTimeMilliseconds(w.Start)).ToList();
        LineChart? PerFeature(string metric, string id, string title, string label, out int hidden)
        {
            var features = windows.SelectMany(w => w.Values.TryGetValue(metric, out var byFeature) ? byFeature : Enumerable.Empty<KeyValuePair<string, double>>())
                .GroupBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(g => (Feature: g.Key, Max: g.Max(kv => kv.Value)))
                .Where(f => f.Max > 0)
                .OrderByDescending(f => f.Max).ThenBy(f => f.Feature, StringComparer.Ordinal)
                .ToList();
            hidden = Math.Max(0, features.Count - MaxQualityFeatures);
            if (features.Count == 0)
            {
                return null;
            }

            var series = features.Take(MaxQualityFeatures).Select(f => new ChartSeries(f.Feature, windows.Select(w =>
                w.Values.TryGetValue(metric, out var byFeature) && byFeature.TryGetValue(f.Feature, out var v) ? v : (double?)null).ToList())).ToList();
            return new LineChart(id, title, label, starts, series) { Format = "0.#%", Max = Math.Min(1, SvgChart.NiceCeiling(series.SelectMany(s => s.Values).OfType<double>().Max(), 0)) };
        }

        var missing = PerFeature("quality.missing_share", "missing-chart", "Missing share per feature per window", "missing", out var missingHidden);
        var outOfDomain = PerFeature("quality.out_of_domain_share", "out-of-domain-chart", "Out-of-domain share per feature per window (outside the reference range or unseen categories)",
            "out of domain", out var outOfDomainHidden);
        var counts = windows.Select(w => w.Values.TryGetValue("quality.violations", out var v) && v.TryGetValue("", out var count) ? count : 0).ToList();
        var violations = windows.Count == 0
            ? null
            : new LineChart("violations-chart", "Schema violations per window", "violations", starts,
                [new ChartSeries("Schema violations", counts.Select(c => (double?)c).ToList())])
            {
                Format = "0",
                Max = Math.Max(4, Math.Ceiling(counts.Max() / 4) * 4), // whole numbers on the five ticks
            };
        return new QualityCharts(windows.Count, missing, missingHidden, outOfDomain, outOfDomainHidden, violations);
    }

    private static List<string> Attributes(FairnessTimeline timeline) =>
        timeline.Windows.SelectMany(w => w.Attributes.Select(a => a.Attribute)).Distinct().Order(StringComparer.Ordinal).ToList();

    private static string Slug(string text) => string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-'));
}

/// <summary>The data-quality charts over time.</summary>
/// <param name="Windows">Windows with traffic.</param>
/// <param name="Missing">Missing share per feature (null: nothing missing anywhere).</param>
/// <param name="MissingHidden">Features with missing values left out of the chart.</param>
/// <param name="OutOfDomain">Out-of-domain share per feature (null: nothing out of domain).</param>
/// <param name="OutOfDomainHidden">Features out of domain left out of the chart.</param>
/// <param name="Violations">Schema violations per window.</param>
public sealed record QualityCharts(int Windows, LineChart? Missing, int MissingHidden, LineChart? OutOfDomain, int OutOfDomainHidden, LineChart? Violations);
