using System.Globalization;
using System.Net;
using System.Text;
using Warden.Contracts;

namespace Warden.Cli;

/// <summary>The self-contained HTML report of `warden monitor report --html`: inline SVG charts (no scripts, no external
/// assets) of drift per feature, performance and fairness over windows, and the open alerts — a file one can mail to a
/// model-risk committee.</summary>
internal static class HtmlReport
{
    private static readonly string[] Palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4d7c0f", "#be185d"];

    public static string Render(DriftReport drift, PerformanceReport performance, FairnessTimeline fairness, IReadOnlyList<Alert> alerts)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(E($"Warden monitoring report: {drift.Model} v{drift.Version}")).Append("</title><style>")
            .Append("body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1f2937}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}")
            .Append("table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:.3rem .5rem;text-align:left}")
            .Append(".bad{color:#b91c1c;font-weight:600}.ok{color:#15803d}svg text{font:12px system-ui,sans-serif;fill:#374151}figure{margin:1rem 0}")
            .Append("</style></head><body>");
        html.Append("<h1>").Append(E($"{drift.Model} v{drift.Version}")).Append("</h1><p>")
            .Append(E($"Window {T(drift.WindowStart)} – {T(drift.WindowEnd)} UTC: {drift.Predictions:N0} predictions against {drift.ReferenceRows:N0} reference rows. "))
            .Append(drift.DatasetDrift ? "<span class=\"bad\">Dataset drift</span>" : "<span class=\"ok\">No dataset drift</span>")
            .Append(E($" ({drift.DriftShare:P0} of features drifted).")).Append("</p>");

        if (drift.Multivariate is { } mv)
        {
            html.Append("<p>").Append(E($"Multivariate drift (PCA reconstruction error, {mv.Components} components explaining {mv.ExplainedVariance:P0} of the variance): " +
                                        $"{N(mv.ReconstructionError)} against the reference band [{N(mv.LowerThreshold)}, {N(mv.UpperThreshold)}] — "))
                .Append(mv.Drifted ? "<span class=\"bad\">drifted</span>" : "<span class=\"ok\">within the band</span>").Append("</p>");
        }

        html.Append("<h2>Open alerts</h2>");
        if (alerts.Count == 0)
        {
            html.Append("<p class=\"ok\">None.</p>");
        }
        else
        {
            html.Append("<table><tr><th>Rule</th><th>Metric</th><th>Value</th><th>Fired</th><th>Action</th><th>Root cause</th></tr>");
            foreach (var a in alerts)
            {
                html.Append("<tr><td>").Append(E(a.RuleName)).Append("</td><td>").Append(E(a.Metric + (a.Feature is null ? "" : $" [{a.Feature}]")))
                    .Append("</td><td class=\"bad\">").Append(E($"{N(a.Value)} {a.Comparison} {N(a.Threshold)}")).Append("</td><td>").Append(E(T(a.FiredAt)))
                    .Append("</td><td>").Append(E(a.ActionResult ?? a.Action ?? "notify")).Append("</td><td>")
                    .Append(E(string.Join(", ", a.RootCause.Take(3).Select(r => r.Name)))).Append("</td></tr>");
            }

            html.Append("</table>");
        }

        html.Append("<h2>Drift per feature</h2><p>Each bar is the feature's drift in units of its test's threshold (distances: statistic ÷ threshold; ")
            .Append("p-value tests: ln p ÷ ln α); beyond the dashed line at 1 the feature has drifted.</p>");
        var bars = drift.Features.Select(f => (f.Feature, Value: Normalized(f), f.Drifted)).ToList();
        if (drift.PredictionDrift is { } p)
        {
            bars.Add(("(prediction)", Normalized(p), p.Drifted));
        }

        html.Append(Bars("Drift per feature, in units of the threshold", bars));
        html.Append("<table><tr><th>Feature</th><th>Test</th><th>Statistic</th><th>p-value</th><th>Threshold</th><th>Drifted</th></tr>");
        foreach (var f in drift.Features)
        {
            html.Append("<tr><td>").Append(E(f.Feature)).Append("</td><td>").Append(E(f.Method)).Append("</td><td>").Append(N(f.Statistic)).Append("</td><td>")
                .Append(f.PValue is { } pv ? N(pv) : "—").Append("</td><td>").Append(N(f.Threshold)).Append("</td><td>")
                .Append(f.Drifted ? "<span class=\"bad\">yes</span>" : "no").Append("</td></tr>");
        }

        html.Append("</table>");

        html.Append("<h2>Performance over time</h2>");
        if (performance.Windows.Count == 0)
        {
            html.Append("<p>No labelled windows yet.</p>");
        }
        else
        {
            var metrics = new[] { "accuracy", "roc_auc", "f1", "mae", "rmse", "r2" }.Where(m => performance.Windows.Any(w => w.Metrics.GetValueOrDefault(m) is not null)).ToList();
            var series = metrics.Select(m => (m, performance.Windows.Select(w => w.Metrics.GetValueOrDefault(m)).ToList())).ToList();
            series.Add(("label coverage", performance.Windows.Select(w => (double?)w.LabelCoverage).ToList()));
            html.Append(Lines("Performance per window", performance.Windows.Select(w => w.WindowStart).ToList(), series, null));
        }

        html.Append("<h2>Fairness over time</h2>");
        if (fairness.Windows.Count == 0)
        {
            html.Append("<p>No sensitive attributes declared, or no traffic yet.</p>");
        }
        else
        {
            var attributes = fairness.Windows.SelectMany(w => w.Attributes.Select(a => a.Attribute)).Distinct(StringComparer.Ordinal).ToList();
            var series = attributes.Select(a => (a, fairness.Windows.Select(w => w.Attributes.FirstOrDefault(x => x.Attribute == a)?.DisparateImpact).ToList())).ToList();
            html.Append("<p>Disparate impact (lowest selection rate ÷ highest, among groups of at least ").Append(fairness.MinimumGroupSize)
                .Append(" rows); the dashed line is the four-fifths rule.</p>");
            html.Append(Lines("Disparate impact per window", fairness.Windows.Select(w => w.WindowStart).ToList(), series, 0.8));
            var latest = fairness.Windows[^1];
            foreach (var a in latest.Attributes)
            {
                html.Append(Bars($"Selection rate by {a.Attribute}, window {T(latest.WindowStart)}",
                    a.Groups.Select(g => (g.Group + (g.Judged ? "" : " (not judged)"), g.SelectionRate, false)).ToList(), threshold: null));
            }
        }

        html.Append("<p><small>Generated by warden on ").Append(E(T(DateTimeOffset.UtcNow))).Append(" UTC.</small></p></body></html>");
        return html.ToString();
    }

    private static double Normalized(FeatureDrift f) => f.PValue is { } p && f.Threshold is > 0 and < 1
        ? Math.Log(Math.Max(p, double.Epsilon)) / Math.Log(f.Threshold)
        : f.Statistic / Math.Max(f.Threshold, 1e-12);

    private static string Bars(string title, IReadOnlyList<(string Label, double Value, bool Bad)> bars, double? threshold = 1)
    {
        const int left = 190, width = 440, row = 22;
        var max = Math.Max(bars.Count == 0 ? 1 : bars.Max(b => Math.Min(b.Value, 1e6)), threshold ?? 0) * 1.1;
        max = max <= 0 ? 1 : max;
        var height = bars.Count * row + 30;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<figure><svg role=\"img\" width=\"{left + width + 70}\" height=\"{height}\" viewBox=\"0 0 {left + width + 70} {height}\"><title>{E(title)}</title>");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value, bad) = bars[i];
            var w = Math.Max(1, Math.Min(value, max) / max * width);
            var y = 10 + i * row;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{y + 14}\" text-anchor=\"end\">{E(label)}</text>")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y + 3}\" width=\"{w:0.#}\" height=\"{row - 8}\" fill=\"{(bad ? "#dc2626" : "#2563eb")}\"><title>{E($"{label}: {N(value)}")}</title></rect>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{left + w + 4:0.#}\" y=\"{y + 14}\">{E(N(value))}</text>");
        }

        if (threshold is { } t)
        {
            var x = left + t / max * width;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"5\" y2=\"{height - 15}\" stroke=\"#111827\" stroke-dasharray=\"4 3\"/>");
        }

        return svg.Append("</svg><figcaption>").Append(E(title)).Append("</figcaption></figure>").ToString();
    }

    private static string Lines(string title, IReadOnlyList<DateTimeOffset> windows, IReadOnlyList<(string Name, List<double?> Values)> series, double? reference)
    {
        const int left = 50, top = 10, width = 560, height = 220;
        var values = series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).Append(reference ?? 0).ToList();
        var (low, high) = (Math.Min(0, values.Min()), Math.Max(1, values.Max()));
        double X(int i) => left + (windows.Count == 1 ? width / 2.0 : i * width / (double)(windows.Count - 1));
        double Y(double v) => top + height - (v - low) / (high - low) * height;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<figure><svg role=\"img\" width=\"{left + width + 160}\" height=\"{top + height + 40}\" viewBox=\"0 0 {left + width + 160} {top + height + 40}\"><title>{E(title)}</title>")
            .Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{top + height}\" stroke=\"#9ca3af\"/><line x1=\"{left}\" x2=\"{left + width}\" y1=\"{top + height}\" y2=\"{top + height}\" stroke=\"#9ca3af\"/>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{top + 4}\" text-anchor=\"end\">{N(high)}</text><text x=\"{left - 6}\" y=\"{top + height}\" text-anchor=\"end\">{N(low)}</text>");
        for (var i = 0; i < windows.Count; i += Math.Max(1, windows.Count / 6))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):0.#}\" y=\"{top + height + 16}\" text-anchor=\"middle\">{E(windows[i].UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture))}</text>");
        }

        if (reference is { } r)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{left + width}\" y1=\"{Y(r):0.#}\" y2=\"{Y(r):0.#}\" stroke=\"#111827\" stroke-dasharray=\"4 3\"/>");
        }

        for (var s = 0; s < series.Count; s++)
        {
            var (name, points) = series[s];
            var color = Palette[s % Palette.Length];
            var path = string.Join(" ", points.Select((v, i) => (v, i)).Where(p => p.v is not null).Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.i):0.#},{Y(p.v!.Value):0.#}")));
            if (path.Length > 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"><title>{E(name)}</title></polyline>");
                foreach (var (v, i) in points.Select((v, i) => (v, i)).Where(p => p.v is not null))
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(i):0.#}\" cy=\"{Y(v!.Value):0.#}\" r=\"3\" fill=\"{color}\"><title>{E($"{name}, {T(windows[i])}: {N(v.Value)}")}</title></circle>");
                }
            }

            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + width + 14}\" y=\"{top + s * 18}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{left + width + 30}\" y=\"{top + s * 18 + 9}\">{E(name)}</text>");
        }

        return svg.Append("</svg><figcaption>").Append(E(title)).Append("</figcaption></figure>").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string N(double value) => value.ToString(Math.Abs(value) >= 1e5 ? "0.###E+0" : "0.####", CultureInfo.InvariantCulture);

    private static string T(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
