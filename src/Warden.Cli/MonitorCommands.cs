using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Warden.Contracts;

namespace Warden.Cli;

/// <summary>`warden monitor reference|report|list|quality`: reference profiles and drift of live traffic.</summary>
internal static class MonitorCommands
{
    public static Command Build(CliContext context)
    {
        var monitor = new Command("monitor", "Reference profiles and drift of live traffic.");
        monitor.Subcommands.Add(Reference(context));
        monitor.Subcommands.Add(Report(context));
        monitor.Subcommands.Add(List(context));
        monitor.Subcommands.Add(Quality(context));
        return monitor;
    }

    private static Command Quality(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Model name" };
        var version = new Option<int>("--version") { Description = "Version number", Required = true };
        var at = new Option<string?>("--at") { Description = "A time inside the window to report (default: the current window)" };
        var json = KeysCommands.JsonOption();
        var command = new Command("quality", "Data quality of a window of live traffic: missing, out-of-range and unseen values, features with issues first.")
            { name, version, at, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var report = await client.GetQualityAsync(parse.GetValue(name)!, parse.GetValue(version), ParseAt(parse.GetValue(at)), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, report);
                return WardenCli.Ok;
            }

            context.Console.MarkupLine($"{Markup.Escape(report.Model)} v{report.Version}, window {Output.Time(report.WindowStart)}–{Output.Time(report.WindowEnd)}: " +
                                       $"{report.Predictions:N0} prediction(s); " +
                                       (report.FeaturesWithIssues > 0 ? $"[red]{report.FeaturesWithIssues} feature(s) with issues[/]" : "[green]no issues[/]"));
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Feature", "Kind", "Missing", "Out of range", "Unseen", "Examples (masked)", "Issues");
            foreach (var f in report.Features)
            {
                table.AddRow(Markup.Escape(f.Feature), f.Kind, f.MissingShare.ToString("P1", CultureInfo.InvariantCulture),
                    f.BelowRange is { } b && f.AboveRange is { } a ? (b + a).ToString("N0", CultureInfo.InvariantCulture) + (f.Exact ? "" : " (est.)") : "—",
                    f.UnseenRows?.ToString("N0", CultureInfo.InvariantCulture) ?? "—",
                    Markup.Escape(string.Join(", ", f.Examples)),
                    f.Issues.Count == 0 ? "[green]ok[/]" : "[red]" + Markup.Escape(string.Join("; ", f.Issues)) + "[/]");
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static DateTimeOffset? ParseAt(string? text) => text is null
        ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new CliException($"--at '{text}' is not a date/time");

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--model") { Description = "Only this model" };
        var json = KeysCommands.JsonOption();
        var command = new Command("list", "Monitored versions: reference rows and the windows of traffic kept.") { name, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var monitored = await client.ListMonitoredAsync(parse.GetValue(name), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, monitored);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Model", "Version", "Reference rows", "Windows", "Latest window", "Predictions");
            foreach (var m in monitored)
            {
                var latest = m.Windows.Count > 0 ? m.Windows[^1] : null;
                table.AddRow(Markup.Escape(m.Model), $"v{m.Version}", m.ReferenceRows?.ToString("N0", CultureInfo.InvariantCulture) ?? "[yellow]none[/]",
                    m.Windows.Count.ToString(CultureInfo.InvariantCulture), latest is null ? "—" : Output.Time(latest.Start),
                    m.Windows.Sum(w => w.Predictions).ToString("N0", CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Reference(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Model name" };
        var version = new Argument<int>("version") { Description = "Version number" };
        var data = new Option<FileInfo>("--data") { Description = "Training or validation CSV with the model's features", Required = true };
        var command = new Command("reference", "Profile a data set as the version's reference for drift.") { name, version, data };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var file = parse.GetValue(data)!;
            if (!file.Exists)
            {
                throw new CliException($"file '{file.FullName}' does not exist");
            }

            var info = await client.SetReferenceAsync(parse.GetValue(name)!, parse.GetValue(version), await File.ReadAllBytesAsync(file.FullName, ct), ct);
            context.Console.MarkupLine($"Reference profile of {Markup.Escape(info.Model)} v{info.Version}: {info.Rows:N0} rows, {info.Features.Count} features.");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Report(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Model name" };
        var version = new Option<int>("--version") { Description = "Version number", Required = true };
        var at = new Option<string?>("--at") { Description = "A time inside the window to report (default: now)" };
        var window = new Option<string?>("--window") { Description = "Report span: the base window (default) or a longer one such as 1d (base windows merged)" };
        var html = new Option<FileInfo?>("--html") { Description = "Also write a self-contained HTML report with charts to this file" };
        var segment = new Option<string?>("--segment") { Description = "Drift of one segment (a value of the model's segment feature, Warden:Monitoring:SegmentBy)" };
        var json = KeysCommands.JsonOption();
        var command = new Command("report", "Drift, performance, fairness and open alerts of a version: drifted features first; --html writes charts.")
            { name, version, at, window, segment, html, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var model = parse.GetValue(name)!;
            var v = parse.GetValue(version);
            var span = parse.GetValue(window);
            var report = await client.GetDriftAsync(model, v, ParseAt(parse.GetValue(at)), span, parse.GetValue(segment), ct);
            var performance = await client.GetPerformanceAsync(model, v, span, ct);
            var fairness = await client.GetFairnessAsync(model, v, span, ct);
            var alerts = (await client.ListAlertsAsync("open", model, ct)).Where(a => a.Version == v).ToList();
            if (parse.GetValue(json))
            {
                Output.Json(context, new { drift = report, performance, fairness, alerts });
                return WardenCli.Ok;
            }

            context.Console.MarkupLine($"{Markup.Escape(report.Model)} v{report.Version}{(report.Segment is null ? "" : ", segment " + Markup.Escape(report.Segment))}, " +
                                       $"window {Output.Time(report.WindowStart)}–{Output.Time(report.WindowEnd)}: " +
                                       $"{report.Predictions:N0} prediction(s) against {report.ReferenceRows:N0} reference rows; " +
                                       (report.DatasetDrift ? "[red]dataset drift[/]" : "[green]no dataset drift[/]") + $" ({report.DriftShare:P0} of features drifted)");
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Feature", "Kind", "Test", "Statistic", "p-value", "Threshold", "Drift");
            foreach (var f in report.Features)
            {
                table.AddRow(Markup.Escape(f.Feature), f.Kind, f.Method, f.Statistic.ToString("0.####", CultureInfo.InvariantCulture),
                    f.PValue?.ToString("0.####", CultureInfo.InvariantCulture) ?? "—", f.Threshold.ToString("0.###", CultureInfo.InvariantCulture),
                    f.Drifted ? "[red]yes[/]" : "no");
            }

            context.Console.Write(table);
            if (report.Segments is { Count: > 0 } segments)
            {
                context.Console.MarkupLine("Segments in this window: " + Markup.Escape(string.Join(", ", segments)));
            }

            if (report.PredictionDrift is { } p)
            {
                context.Console.MarkupLine($"Prediction drift ({p.Method}, statistic {p.Statistic.ToString("0.####", CultureInfo.InvariantCulture)}" +
                                           (p.PValue is { } pv ? $", p {pv.ToString("0.####", CultureInfo.InvariantCulture)}" : "") + "): " +
                                           (p.Drifted ? "[red]yes[/]" : "[green]no[/]"));
            }

            if (report.Multivariate is { } mv)
            {
                context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                               $"Multivariate drift (PCA reconstruction, {mv.Components} component(s), {mv.ExplainedVariance:P0} of variance): error " +
                                               $"{mv.ReconstructionError:0.####} against [{mv.LowerThreshold:0.####}, {mv.UpperThreshold:0.####}]: ")) +
                                           (mv.Drifted ? "[red]yes[/]" : "[green]no[/]"));
            }

            WritePerformance(context, performance);
            WriteFairness(context, fairness);
            if (alerts.Count > 0)
            {
                context.Console.MarkupLine($"[red]{alerts.Count} open alert(s):[/] " + Markup.Escape(string.Join("; ",
                    alerts.Select(a => $"{a.RuleName} ({a.Metric}{(a.Feature is null ? "" : $"[{a.Feature}]")} = {a.Value.ToString("0.####", CultureInfo.InvariantCulture)})"))));
            }

            if (parse.GetValue(html) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, HtmlReport.Render(report, performance, fairness, alerts), ct);
                context.Console.MarkupLine($"HTML report written to {Markup.Escape(file.FullName)}");
            }

            return WardenCli.Ok;
        }));
        return command;
    }

    private static void WritePerformance(CliContext context, PerformanceReport performance)
    {
        if (performance.Windows.Count == 0)
        {
            context.Console.MarkupLine("Performance: no windows yet.");
            return;
        }

        var names = performance.Windows.SelectMany(w => w.Metrics.Keys).Distinct(StringComparer.Ordinal).ToList();
        var table = new Table().Border(TableBorder.Rounded).Title("Performance per window (labels joined so far)")
            .AddColumns(["Window", "Predictions", "Labelled", "Coverage", .. names]);
        foreach (var w in performance.Windows)
        {
            table.AddRow([Output.Time(w.WindowStart), w.Predictions.ToString("N0", CultureInfo.InvariantCulture), w.Labelled.ToString("N0", CultureInfo.InvariantCulture),
                w.LabelCoverage.ToString("P0", CultureInfo.InvariantCulture),
                .. names.Select(n => w.Metrics.TryGetValue(n, out var m) && m is { } x ? x.ToString("0.####", CultureInfo.InvariantCulture) : "—")]);
        }

        context.Console.Write(table);
    }

    private static void WriteFairness(CliContext context, FairnessTimeline fairness)
    {
        if (fairness.Windows.Count == 0)
        {
            return;
        }

        var latest = fairness.Windows[^1];
        var table = new Table().Border(TableBorder.Rounded).Title($"Fairness, window {Output.Time(latest.WindowStart)} (groups under {fairness.MinimumGroupSize} rows are not judged)")
            .AddColumns("Attribute", "Groups (selection rate)", "Parity diff.", "Disparate impact", "Equalized odds diff.", "Four-fifths");
        foreach (var a in latest.Attributes)
        {
            table.AddRow(Markup.Escape(a.Attribute),
                Markup.Escape(string.Join(", ", a.Groups.Select(g => $"{g.Group} {g.SelectionRate.ToString("0.##", CultureInfo.InvariantCulture)}{(g.Judged ? "" : "*")}"))),
                F(a.DemographicParityDifference), F(a.DisparateImpact), F(a.EqualizedOddsDifference),
                a.FailsFourFifthsRule switch { true => "[red]fails[/]", false => "[green]passes[/]", _ => "—" });
        }

        context.Console.Write(table);
    }

    private static string F(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "—";
}
