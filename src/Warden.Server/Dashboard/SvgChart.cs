using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Warden.Server.Dashboard;

/// <summary>One line of a <see cref="LineChart"/>: a value per window, null where there is none (the line breaks there).</summary>
/// <param name="Name">The legend entry.</param>
/// <param name="Values">One value per window of the chart, in window order.</param>
/// <param name="Muted">Drawn dashed (e.g. a group too small to be judged).</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values, bool Muted = false);

/// <summary>A horizontal reference line across a chart, such as the four-fifths rule at 0.8.</summary>
public sealed record ChartRule(string Label, double Value);

/// <summary>A line chart over monitoring windows: one line per series, optional reference lines, and optional background
/// bars of a share in [0, 1] read on the right axis (label coverage).</summary>
/// <param name="Id">The element id of the figure.</param>
/// <param name="Title">The accessible title (also the chart's heading for screen readers).</param>
/// <param name="YLabel">What the left axis measures.</param>
/// <param name="Windows">The start of each window, oldest first.</param>
/// <param name="Series">The lines.</param>
public sealed record LineChart(string Id, string Title, string YLabel, IReadOnlyList<DateTimeOffset> Windows, IReadOnlyList<ChartSeries> Series)
{
    /// <summary>Number format of values (ticks, tooltips, accessible text).</summary>
    public string Format { get; init; } = "0.###";

    /// <summary>Bottom of the left axis.</summary>
    public double Min { get; init; }

    /// <summary>Top of the left axis; null: from the data.</summary>
    public double? Max { get; init; }

    /// <summary>Reference lines.</summary>
    public IReadOnlyList<ChartRule> Rules { get; init; } = [];

    /// <summary>Background bars in [0, 1] per window on a right axis in percent (null: none).</summary>
    public ChartSeries? Bars { get; init; }
}

/// <summary>One bar of a horizontal bar chart.</summary>
public sealed record ChartBar(string Name, double Value, string? Detail = null);

/// <summary>Server-rendered SVG charts for the dashboard (no script). Every chart is an <c>&lt;svg role="img"&gt;</c> with a
/// title and a description that lists its values, so screen readers (and tests) read what the eye sees; each point has a
/// tooltip, and the legend is HTML under the chart.</summary>
public static class SvgChart
{
    private const int Width = 720;
    private const int Height = 240;
    private const int Top = 14;
    private const int Bottom = 40;
    private const int Left = 56;
    private static readonly string[] Palette = ["#3b5bdb", "#e8590c", "#2b8a3e", "#c2255c", "#7048e8", "#0c8599", "#a61e4d", "#5c940d", "#862e9c", "#495057"];
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The colour of the <paramref name="index"/>th series.</summary>
    public static string Colour(int index) => Palette[index % Palette.Length];

    /// <summary>Renders a line chart as a figure: the SVG and its legend.</summary>
    public static IHtmlContent Render(LineChart chart)
    {
        var n = chart.Windows.Count;
        var right = chart.Bars is null ? 16 : 48;
        var plotWidth = Width - Left - right;
        var plotHeight = Height - Top - Bottom;
        var values = chart.Series.SelectMany(s => s.Values).OfType<double>().Where(double.IsFinite).Concat(chart.Rules.Select(r => r.Value)).ToList();
        var max = chart.Max ?? NiceCeiling(values.Count == 0 ? chart.Min + 1 : Math.Max(values.Max(), chart.Min) * 1.05, chart.Min);
        if (max <= chart.Min)
        {
            max = chart.Min + 1;
        }

        double X(int i) => Left + (i + 0.5) * plotWidth / Math.Max(1, n);
        double Y(double v) => Top + plotHeight * (1 - (Math.Clamp(v, chart.Min, max) - chart.Min) / (max - chart.Min));

        var id = chart.Id;
        var svg = new StringBuilder();
        svg.Append(Inv, $"<figure class=\"chart\" id=\"{Encode(id)}\" data-windows=\"{n}\"><div class=\"chart-title\" aria-hidden=\"true\">{Encode(chart.Title)}</div>");
        svg.Append(Inv, $"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">");
        svg.Append(Inv, $"<title id=\"{id}-title\">{Encode(chart.Title)}</title><desc id=\"{id}-desc\">{Encode(Describe(chart))}</desc>");

        // Grid and left axis: five ticks.
        for (var t = 0; t <= 4; t++)
        {
            var v = chart.Min + (max - chart.Min) * t / 4;
            var y = Y(v);
            svg.Append(Inv, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e4e7ec\"/>");
            svg.Append(Inv, $"<text x=\"{Left - 6}\" y=\"{y + 3:0.#}\" font-size=\"10\" text-anchor=\"end\" fill=\"#667085\">{Encode(v.ToString(chart.Format, Inv))}</text>");
        }

        svg.Append(Inv, $"<text transform=\"translate(12 {Top + plotHeight / 2}) rotate(-90)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#667085\">{Encode(chart.YLabel)}</text>");

        // Background bars on the right axis.
        if (chart.Bars is { } bars)
        {
            var band = (double)plotWidth / Math.Max(1, n);
            for (var i = 0; i < n; i++)
            {
                if (i < bars.Values.Count && bars.Values[i] is { } share && double.IsFinite(share))
                {
                    var h = plotHeight * Math.Clamp(share, 0, 1);
                    svg.Append(Inv, $"<rect x=\"{X(i) - band * 0.35:0.#}\" y=\"{Top + plotHeight - h:0.#}\" width=\"{band * 0.7:0.#}\" height=\"{h:0.#}\" fill=\"#e9ecef\">");
                    svg.Append(Inv, $"<title>{Encode(bars.Name)}, {Encode(WindowLabel(chart.Windows[i]))}: {share.ToString("0%", Inv)}</title></rect>");
                }
            }

            foreach (var (share, label) in new[] { (0.0, "0%"), (0.5, "50%"), (1.0, "100%") })
            {
                svg.Append(Inv, $"<text x=\"{Left + plotWidth + 6}\" y=\"{Top + plotHeight * (1 - share) + 3:0.#}\" font-size=\"10\" fill=\"#98a2b3\">{label}</text>");
            }
        }

        // Window labels: at most eight, evenly spaced.
        var step = Math.Max(1, (int)Math.Ceiling(n / 8.0));
        for (var i = 0; i < n; i += step)
        {
            svg.Append(Inv, $"<text x=\"{X(i):0.#}\" y=\"{Height - Bottom + 16}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#667085\">{Encode(chart.Windows[i].UtcDateTime.ToString("MM-dd HH:mm", Inv))}</text>");
        }

        svg.Append(Inv, $"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 4}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#667085\">window start (UTC)</text>");
        svg.Append(Inv, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{Top + plotHeight}\" y2=\"{Top + plotHeight}\" stroke=\"#98a2b3\"/>");

        foreach (var rule in chart.Rules)
        {
            var y = Y(rule.Value);
            svg.Append(Inv, $"<line class=\"rule\" x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#b42318\" stroke-dasharray=\"6 4\"><title>{Encode(rule.Label)}</title></line>");
            svg.Append(Inv, $"<text x=\"{Left + plotWidth - 4}\" y=\"{y - 4:0.#}\" font-size=\"10\" text-anchor=\"end\" fill=\"#b42318\">{Encode(rule.Label)}</text>");
        }

        for (var s = 0; s < chart.Series.Count; s++)
        {
            var series = chart.Series[s];
            var colour = Colour(s);
            var dash = series.Muted ? " stroke-dasharray=\"4 3\"" : "";
            svg.Append(Inv, $"<g class=\"series\" data-series=\"{Encode(series.Name)}\">");
            var points = new List<string>();
            void Flush()
            {
                if (points.Count > 1)
                {
                    svg.Append(Inv, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} points=\"{string.Join(' ', points)}\"/>");
                }

                points.Clear();
            }

            for (var i = 0; i < n; i++)
            {
                if (i < series.Values.Count && series.Values[i] is { } v && double.IsFinite(v))
                {
                    points.Add(string.Create(Inv, $"{X(i):0.#},{Y(v):0.#}"));
                }
                else
                {
                    Flush();
                }
            }

            Flush();
            for (var i = 0; i < n; i++)
            {
                if (i < series.Values.Count && series.Values[i] is { } v && double.IsFinite(v))
                {
                    svg.Append(Inv, $"<circle cx=\"{X(i):0.#}\" cy=\"{Y(v):0.#}\" r=\"3\" fill=\"{colour}\"><title>{Encode(series.Name)}, {Encode(WindowLabel(chart.Windows[i]))}: {Encode(v.ToString(chart.Format, Inv))}</title></circle>");
                }
            }

            svg.Append("</g>");
        }

        svg.Append("</svg><figcaption><ul class=\"legend\">");
        for (var s = 0; s < chart.Series.Count; s++)
        {
            var series = chart.Series[s];
            svg.Append(Inv, $"<li><span class=\"swatch{(series.Muted ? " muted" : "")}\" style=\"border-color:{Colour(s)}\"></span>{Encode(series.Name)}</li>");
        }

        foreach (var rule in chart.Rules)
        {
            svg.Append(Inv, $"<li><span class=\"swatch rule\"></span>{Encode(rule.Label)}</li>");
        }

        if (chart.Bars is { } b)
        {
            svg.Append(Inv, $"<li><span class=\"swatch bar\"></span>{Encode(b.Name)} (bars, right axis)</li>");
        }

        svg.Append("</ul></figcaption></figure>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>Renders a horizontal bar chart (a bar per item, largest magnitude first as given), with the value at the end
    /// of each bar and the item's detail as its tooltip.</summary>
    public static IHtmlContent Bars(string id, string title, IReadOnlyList<ChartBar> items, string format = "0.####")
    {
        const int rowHeight = 26;
        const int labelWidth = 200;
        const int barArea = 380;
        var height = Math.Max(1, items.Count) * rowHeight + 8;
        var scale = items.Count == 0 ? 1 : Math.Max(items.Max(i => double.IsFinite(i.Value) ? Math.Abs(i.Value) : 0), 1e-12);
        var hasNegative = items.Any(i => i.Value < 0);
        var zero = labelWidth + (hasNegative ? barArea / 2 : 0);
        var span = hasNegative ? barArea / 2 : barArea;
        var description = items.Count == 0
            ? "No items."
            : string.Join("; ", items.Select((item, i) => $"{i + 1}. {item.Name}: {item.Value.ToString(format, Inv)}")) + ".";

        var svg = new StringBuilder();
        svg.Append(Inv, $"<figure class=\"chart\" id=\"{Encode(id)}\" data-items=\"{items.Count}\">");
        svg.Append(Inv, $"<svg viewBox=\"0 0 {labelWidth + barArea + 80} {height}\" width=\"{labelWidth + barArea + 80}\" height=\"{height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">");
        svg.Append(Inv, $"<title id=\"{id}-title\">{Encode(title)}</title><desc id=\"{id}-desc\">{Encode(description)}</desc>");
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var y = 4 + i * rowHeight;
            var value = double.IsFinite(item.Value) ? item.Value : 0;
            var w = span * Math.Abs(value) / scale;
            var x = value < 0 ? zero - w : zero;
            var name = item.Name.Length > 30 ? item.Name[..29] + "…" : item.Name;
            svg.Append(Inv, $"<g class=\"bar-row\"><title>{Encode(item.Name)}: {Encode(item.Value.ToString(format, Inv))}{(item.Detail is null ? "" : " — " + Encode(item.Detail))}</title>");
            svg.Append(Inv, $"<text x=\"{labelWidth - 8}\" y=\"{y + 16}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1b1f24\">{Encode(name)}</text>");
            svg.Append(Inv, $"<rect x=\"{x:0.#}\" y=\"{y + 4}\" width=\"{Math.Max(w, 1):0.#}\" height=\"{rowHeight - 8}\" rx=\"3\" fill=\"{(i == 0 ? "#b42318" : "#3b5bdb")}\"/>");
            svg.Append(Inv, $"<text x=\"{(value < 0 ? x - 4 : x + w + 4):0.#}\" y=\"{y + 16}\" font-size=\"11\" text-anchor=\"{(value < 0 ? "end" : "start")}\" fill=\"#667085\">{Encode(item.Value.ToString(format, Inv))}</text></g>");
        }

        svg.Append(Inv, $"<line x1=\"{zero}\" x2=\"{zero}\" y1=\"0\" y2=\"{height}\" stroke=\"#98a2b3\"/></svg></figure>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>The accessible description: the windows, then each series' values in window order.</summary>
    public static string Describe(LineChart chart)
    {
        var n = chart.Windows.Count;
        var text = new StringBuilder();
        text.Append(Inv, $"{n} window{(n == 1 ? "" : "s")}");
        if (n > 0)
        {
            text.Append(Inv, $" from {WindowLabel(chart.Windows[0])} to {WindowLabel(chart.Windows[^1])}");
        }

        text.Append('.');
        foreach (var series in chart.Series)
        {
            text.Append(Inv, $" {series.Name}: {string.Join(", ", series.Values.Select(v => v is { } x && double.IsFinite(x) ? x.ToString(chart.Format, Inv) : "no data"))}.");
        }

        if (chart.Bars is { } bars)
        {
            text.Append(Inv, $" {bars.Name}: {string.Join(", ", bars.Values.Select(v => v is { } x && double.IsFinite(x) ? x.ToString("0%", Inv) : "no data"))}.");
        }

        foreach (var rule in chart.Rules)
        {
            text.Append(Inv, $" Reference line: {rule.Label}.");
        }

        return text.ToString();
    }

    private static string WindowLabel(DateTimeOffset start) => start.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Inv) + " UTC";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A round number at or above <paramref name="value"/> (<paramref name="min"/> + 1, 2, 4, 6 or 8 × a power of ten, so that quarter ticks stay round).</summary>
    public static double NiceCeiling(double value, double min)
    {
        var range = value - min;
        if (range <= 0 || !double.IsFinite(range))
        {
            return min + 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(range)));
        foreach (var step in new[] { 1, 2, 4, 6, 8, 10 })
        {
            if (step * magnitude >= range)
            {
                return min + step * magnitude;
            }
        }

        return min + 10 * magnitude;
    }
}
