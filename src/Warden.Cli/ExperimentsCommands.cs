using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Warden.Contracts;

namespace Warden.Cli;

/// <summary>`warden experiments create|start|stop|results|list`: A/B tests and bandits between approved versions.</summary>
internal static class ExperimentsCommands
{
    public static Command Build(CliContext context)
    {
        var experiments = new Command("experiments", "A/B tests and bandits between approved versions of a model.");
        experiments.Subcommands.Add(Create(context));
        experiments.Subcommands.Add(Transition(context, "start", "draft → running: units with a unit id are assigned (sticky) and served by their arm.",
            (c, n, r, ct) => c.StartExperimentAsync(n, r, ct)));
        experiments.Subcommands.Add(Transition(context, "stop", "running → stopped: no new exposures; the experiment's units go back to control.",
            (c, n, r, ct) => c.StopExperimentAsync(n, r, ct)));
        experiments.Subcommands.Add(Results(context));
        experiments.Subcommands.Add(List(context));
        return experiments;
    }

    private static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Experiment name (also the GrowthBook tracking key)" };
        var model = new Option<string>("--model") { Description = "The model", Required = true };
        var arms = new Option<string[]>("--arm")
        {
            Description = "An arm: name=version or name=version:weight; the first is control (repeat, at least two)", Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var metrics = new Option<string[]>("--metric")
        {
            Description = "A metric: name[:kind[:role]] with kind binomial|continuous|count and role primary|secondary|guardrail; the first defaults to primary (repeat)",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var kind = new Option<string>("--kind") { Description = "ab or bandit", DefaultValueFactory = _ => ExperimentKinds.AB };
        var policy = new Option<string?>("--policy") { Description = "Bandit policy: thompson, ucb1 or epsilon-greedy" };
        var unit = new Option<string>("--unit-type") { Description = "What a unit is (user, customer …)", DefaultValueFactory = _ => "user" };
        var mde = new Option<double?>("--mde") { Description = "Minimum detectable effect, relative (0.05 = 5 %)" };
        var baseline = new Option<double?>("--baseline") { Description = "Expected control mean of the primary metric (for the power analysis)" };
        var coverage = new Option<double>("--coverage") { Description = "Share of units included", DefaultValueFactory = _ => 1 };
        var command = new Command("create", "Define an experiment (draft). Each arm's version must be approved and hold an alias (e.g. champion, challenger).")
            { name, model, arms, metrics, kind, policy, unit, mde, baseline, coverage };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var armList = parse.GetValue(arms)!.Select((a, i) => ParseArm(a, i == 0)).ToList();
            var metricList = parse.GetValue(metrics)!.Select((m, i) => ParseMetric(m, i == 0)).ToList();
            var chosenKind = parse.GetValue(kind)!;
            var request = new CreateExperimentRequest(parse.GetValue(name)!, parse.GetValue(model)!, armList, metricList, chosenKind, parse.GetValue(unit)!,
                Coverage: parse.GetValue(coverage), Mde: parse.GetValue(mde), Baseline: parse.GetValue(baseline),
                Bandit: chosenKind == ExperimentKinds.Bandit ? new BanditSettings(parse.GetValue(policy) ?? BanditPolicies.Thompson) : null);
            var created = await client.CreateExperimentAsync(request, ct);
            context.Console.MarkupLine($"Experiment {Markup.Escape(created.Name)} ({created.Kind}) on {Markup.Escape(created.Model)}: " +
                                       string.Join(", ", created.Arms.Select(a => $"{Markup.Escape(a.Name)} v{a.Version} via '{Markup.Escape(a.Alias)}' {a.Weight:P0}")) +
                                       (created.PlannedSampleSize is { } n ? $"; planned {n:N0} units per arm" : "") + ". Start it with warden experiments start.");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static ExperimentArmRequest ParseArm(string text, bool control)
    {
        var (armName, rest) = Split(text, '=', "--arm", "name=version[:weight]");
        var (version, weight) = rest.Contains(':', StringComparison.Ordinal) ? Split(rest, ':', "--arm", "name=version[:weight]") : (rest, null);
        if (!int.TryParse(version, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            throw new CliException($"--arm '{text}': the version must be a number");
        }

        double? w = null;
        if (weight is not null)
        {
            w = double.TryParse(weight, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw new CliException($"--arm '{text}': the weight must be a number");
        }

        return new ExperimentArmRequest(armName, v, w, control);
    }

    private static ExperimentMetric ParseMetric(string text, bool first)
    {
        var parts = text.Split(':');
        if (parts.Length > 3 || parts[0].Length == 0)
        {
            throw new CliException($"--metric '{text}': expected name[:kind[:role]]");
        }

        return new ExperimentMetric(parts[0], parts.Length > 1 ? parts[1] : MetricKinds.Binomial,
            parts.Length > 2 ? parts[2] : first ? MetricRoles.Primary : MetricRoles.Secondary);
    }

    private static (string, string) Split(string text, char separator, string option, string expected)
    {
        var at = text.IndexOf(separator, StringComparison.Ordinal);
        return at > 0 && at < text.Length - 1 ? (text[..at], text[(at + 1)..]) : throw new CliException($"{option} '{text}': expected {expected}");
    }

    private static Command Transition(CliContext context, string verb, string description,
        Func<Client.WardenClient, string, string, CancellationToken, Task<ExperimentInfo>> call)
    {
        var name = new Argument<string>("name") { Description = "Experiment name" };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the audit log)", Required = true };
        var command = new Command(verb, description) { name, reason };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var info = await call(client, parse.GetValue(name)!, parse.GetValue(reason)!, ct);
            context.Console.MarkupLine($"Experiment {Markup.Escape(info.Name)} is {info.Status}.");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Results(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Experiment name" };
        var phase = new Option<int?>("--phase") { Description = "Phase (default: the current one)" };
        var json = KeysCommands.JsonOption();
        var command = new Command("results", "Per arm and metric: means, lifts with intervals, always-valid intervals, chance to beat control, SRM.") { name, phase, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var results = await client.GetExperimentResultsAsync(parse.GetValue(name)!, parse.GetValue(phase), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, results);
                return WardenCli.Ok;
            }

            context.Console.MarkupLine($"{Markup.Escape(results.Experiment)} on {Markup.Escape(results.Model)} ({results.Status}, phase {results.Phase}): {results.Units:N0} units — " +
                                       string.Join(", ", results.Arms.Select(a => $"{Markup.Escape(a.Arm)} v{a.Version} {a.Units:N0}")));
            context.Console.MarkupLine(results.Srm is not { } srm ? "SRM: no units yet"
                : srm.Mismatch ? $"[red]SRM: sample ratio mismatch (p = {srm.PValue:G3}); do not trust these results[/]"
                : $"[green]SRM: ok[/] (p = {srm.PValue:G3})");
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Metric", "Role", "Arm", "Units", "Mean", "Relative lift (95 % CI)", "p", "Always-valid CI", "Chance to beat", "p (Holm)");
            foreach (var m in results.Metrics)
            {
                foreach (var a in m.Arms)
                {
                    table.AddRow(Markup.Escape(m.Metric) + (m.Cuped ? " (CUPED)" : ""), m.Role, Markup.Escape(a.Arm), a.Units.ToString("N0", CultureInfo.InvariantCulture),
                        a.Mean.ToString("G4", CultureInfo.InvariantCulture),
                        a.Relative is { } r ? Markup.Escape($"{r.Estimate:+0.0%;-0.0%} [{r.CiLower:0.0%}, {r.CiUpper:0.0%}]") : a.Problem is null ? "control" : Markup.Escape(a.Problem),
                        a.Relative?.PValue.ToString("G3", CultureInfo.InvariantCulture) ?? "",
                        a.Sequential is { } s ? Markup.Escape($"[{s.CiLower:0.0%}, {s.CiUpper:0.0%}]") : "",
                        a.Bayesian?.ChanceToBeatControl.ToString("P1", CultureInfo.InvariantCulture) ?? "",
                        a.PValueHolm?.ToString("G3", CultureInfo.InvariantCulture) ?? "");
                }
            }

            context.Console.Write(table);
            foreach (var breach in results.GuardrailBreaches)
            {
                context.Console.MarkupLine($"[red]Guardrail: {Markup.Escape(breach)}[/]");
            }

            if (results.Winner is not null)
            {
                context.Console.MarkupLine($"[green]Winner: {Markup.Escape(results.Winner)}[/] (always-valid interval excludes zero)");
            }

            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var model = new Option<string?>("--model") { Description = "Only this model" };
        var status = new Option<string?>("--status") { Description = "Only this status (draft, running, stopped, concluded)" };
        var json = KeysCommands.JsonOption();
        var command = new Command("list", "Experiments, newest first.") { model, status, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var list = await client.ListExperimentsAsync(parse.GetValue(model), parse.GetValue(status), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, list);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Name", "Model", "Kind", "Status", "Phase", "Arms", "Started");
            foreach (var e in list)
            {
                table.AddRow(Markup.Escape(e.Name), Markup.Escape(e.Model), e.Kind, e.Status, e.Phase.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(", ", e.Arms.Select(a => $"{a.Name} v{a.Version}"))), Output.Time(e.StartedAt));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }
}
