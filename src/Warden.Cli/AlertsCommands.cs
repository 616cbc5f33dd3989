using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Warden.Contracts;

namespace Warden.Cli;

/// <summary>`warden alerts list|show|ack|resolve|evaluate|rules|add-rule|delete-rule`.</summary>
internal static class AlertsCommands
{
    public static Command Build(CliContext context)
    {
        var alerts = new Command("alerts", "Alerts on monitoring metrics and their rules.");
        alerts.Subcommands.Add(List(context));
        alerts.Subcommands.Add(Show(context));
        alerts.Subcommands.Add(Transition(context, "ack", "Acknowledge a firing alert.", (c, id, ct) => c.AcknowledgeAlertAsync(id, ct)));
        alerts.Subcommands.Add(Transition(context, "resolve", "Resolve an open alert by hand.", (c, id, ct) => c.ResolveAlertAsync(id, ct)));
        alerts.Subcommands.Add(Evaluate(context));
        alerts.Subcommands.Add(Rules(context));
        alerts.Subcommands.Add(AddRule(context));
        alerts.Subcommands.Add(DeleteRule(context));
        return alerts;
    }

    private static Command List(CliContext context)
    {
        var state = new Option<string?>("--state") { Description = "open (default), firing, acknowledged, resolved or all" };
        var model = new Option<string?>("--model") { Description = "Only this model" };
        var json = KeysCommands.JsonOption();
        var command = new Command("list", "Alerts, newest first.") { state, model, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var s = parse.GetValue(state) ?? "open";
            var alerts = await client.ListAlertsAsync(s == "all" ? null : s, parse.GetValue(model), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, alerts);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Id", "State", "Model", "Rule", "Metric", "Value", "Fired", "Action");
            foreach (var a in alerts)
            {
                table.AddRow(a.Id, a.State == "firing" ? "[red]firing[/]" : a.State, Markup.Escape($"{a.Model} v{a.Version}"), Markup.Escape(a.RuleName),
                    Markup.Escape(a.Metric + (a.Feature is null ? "" : $"[{a.Feature}]")), $"{N(a.Value)} {Markup.Escape(a.Comparison)} {N(a.Threshold)}",
                    Output.Time(a.FiredAt), Markup.Escape(a.ActionResult ?? a.Action ?? "notify"));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "Alert id" };
        var json = KeysCommands.JsonOption();
        var command = new Command("show", "One alert with its root cause.") { id, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var a = await client.GetAlertAsync(parse.GetValue(id)!, ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, a);
                return WardenCli.Ok;
            }

            context.Console.MarkupLine(Markup.Escape($"{a.Id} ({a.State}) {a.Model} v{a.Version}: {a.RuleName}: {a.Metric}{(a.Feature is null ? "" : $"[{a.Feature}]")} = {N(a.Value)} {a.Comparison} {N(a.Threshold)}"));
            context.Console.MarkupLine(Markup.Escape($"Fired {Output.Time(a.FiredAt)} (window {Output.Time(a.WindowStart)})" +
                                                     (a.AcknowledgedAt is { } ack ? $", acknowledged {Output.Time(ack)} by {a.AcknowledgedBy}" : "") +
                                                     (a.ResolvedAt is { } r ? $", resolved {Output.Time(r)}" : "")));
            if (a.ActionResult is not null)
            {
                context.Console.MarkupLine(Markup.Escape($"Action {a.Action}: {a.ActionResult}"));
            }

            var table = new Table().Border(TableBorder.Rounded).Title("Root cause").AddColumns("Rank", "Feature or segment", "Score", "Why");
            foreach (var (item, rank) in a.RootCause.Select((r, i) => (r, i + 1)))
            {
                table.AddRow(rank.ToString(CultureInfo.InvariantCulture), Markup.Escape(item.Name), N(item.Score), Markup.Escape(item.Detail));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Transition(CliContext context, string verb, string description, Func<Warden.Client.WardenClient, string, CancellationToken, Task<Alert>> call)
    {
        var id = new Argument<string>("id") { Description = "Alert id" };
        var command = new Command(verb, description) { id };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var a = await call(client, parse.GetValue(id)!, ct);
            context.Console.MarkupLine(Markup.Escape($"{a.Id} is {a.State}."));
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Evaluate(CliContext context)
    {
        var command = new Command("evaluate", "Evaluate every rule now (the server also does so on its own cadence).");
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var result = await client.EvaluateAlertsAsync(ct);
            context.Console.MarkupLine($"{result.RulesEvaluated} rule(s) evaluated: {result.Fired.Count} fired, {result.Resolved.Count} resolved.");
            foreach (var a in result.Fired)
            {
                context.Console.MarkupLine(Markup.Escape($"  fired {a.Id}: {a.RuleName} ({a.Metric}{(a.Feature is null ? "" : $"[{a.Feature}]")} = {N(a.Value)}){(a.ActionResult is null ? "" : "; " + a.ActionResult)}"));
            }

            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Rules(CliContext context)
    {
        var model = new Option<string?>("--model") { Description = "Only this model" };
        var json = KeysCommands.JsonOption();
        var command = new Command("rules", "Alert rules.") { model, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var rules = await client.ListAlertRulesAsync(parse.GetValue(model), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, rules);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Id", "Name", "Model", "Condition", "Windows", "Min. sample", "Action", "Webhook");
            foreach (var r in rules)
            {
                table.AddRow(r.Id, Markup.Escape(r.Name), Markup.Escape(r.Version is { } v ? $"{r.Model} v{v}" : $"{r.Model}@{r.Alias}"),
                    Markup.Escape($"{r.Metric}{(r.Feature is null ? "" : $"[{r.Feature}]")} {r.Comparison} {N(r.Threshold)}"),
                    r.ConsecutiveWindows.ToString(CultureInfo.InvariantCulture), r.MinimumSample.ToString(CultureInfo.InvariantCulture), r.Action, r.Webhook ?? "—");
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command AddRule(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "Model name" };
        var metric = new Option<string>("--metric") { Description = "e.g. drift.score, drift.share, performance.roc_auc, fairness.disparate_impact, quality.missing_share", Required = true };
        var condition = new Option<string>("--when") { Description = "Comparison and threshold, e.g. \">1\", \"<0.8\", \">=0.05\"", Required = true };
        var feature = new Option<string?>("--feature") { Description = "Feature or sensitive attribute (per-feature metrics)" };
        var version = new Option<int?>("--version") { Description = "A fixed version (default: whichever holds --alias)" };
        var alias = new Option<string?>("--alias") { Description = "Alias watched and acted on (default champion)" };
        var windows = new Option<int?>("--windows") { Description = "Consecutive windows that must breach (default 1)" };
        var sample = new Option<long?>("--min-sample") { Description = "Rows (labelled rows for performance) a window needs (default 30)" };
        var action = new Option<string?>("--action") { Description = "notify (default), rollback or canary-zero" };
        var webhook = new Option<string?>("--webhook") { Description = "A webhook configured on the server" };
        var ruleName = new Option<string?>("--name") { Description = "A name for the rule" };
        var command = new Command("add-rule", "Create an alert rule.") { model, metric, condition, feature, version, alias, windows, sample, action, webhook, ruleName };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var (comparison, threshold) = ParseCondition(parse.GetValue(condition)!);
            var rule = await client.CreateAlertRuleAsync(new AlertRuleRequest(parse.GetValue(model)!, parse.GetValue(metric)!, comparison, threshold, parse.GetValue(feature),
                parse.GetValue(version), parse.GetValue(alias), parse.GetValue(windows), parse.GetValue(sample), parse.GetValue(action), parse.GetValue(webhook),
                parse.GetValue(ruleName)), ct);
            context.Console.MarkupLine(Markup.Escape($"Rule {rule.Id} created: {rule.Name} ({rule.Action})."));
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command DeleteRule(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "Rule id" };
        var command = new Command("delete-rule", "Delete an alert rule (its open alerts resolve).") { id };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            await client.DeleteAlertRuleAsync(parse.GetValue(id)!, ct);
            context.Console.MarkupLine("Rule deleted.");
            return WardenCli.Ok;
        }));
        return command;
    }

    /// <summary>Parses "&gt;1", "&lt;= 0.8" …</summary>
    internal static (string Comparison, double Threshold) ParseCondition(string text)
    {
        text = text.Trim();
        var op = text.StartsWith(">=", StringComparison.Ordinal) || text.StartsWith("<=", StringComparison.Ordinal) ? text[..2]
            : text.StartsWith('>') || text.StartsWith('<') ? text[..1] : throw new CliException($"--when '{text}' must start with >, >=, < or <=");
        return double.TryParse(text[op.Length..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold) && double.IsFinite(threshold)
            ? (op, threshold)
            : throw new CliException($"--when '{text}' needs a number after {op}");
    }

    private static string N(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
