using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Warden.Contracts;

namespace Warden.Cli;

/// <summary>`warden experiments create|start|stop|results|list|evaluate|phases|off-policy|proposals|accept|reject`: A/B tests and
/// bandits between approved versions, and the promotion proposals of their winners.</summary>
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
        experiments.Subcommands.Add(Evaluate(context));
        experiments.Subcommands.Add(Phases(context));
        experiments.Subcommands.Add(OffPolicy(context));
        experiments.Subcommands.Add(Proposals(context));
        experiments.Subcommands.Add(Decide(context, "accept", "Accept a promotion proposal (not its proposer): the alias moves to the winning version.",
            (c, id, comment, ct) => c.AcceptPromotionAsync(id, comment, ct)));
        experiments.Subcommands.Add(Decide(context, "reject", "Reject a promotion proposal (not its proposer): nothing moves.",
            (c, id, comment, ct) => c.RejectPromotionAsync(id, comment, ct)));
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
        var native = new Option<string[]>("--native")
        {
            Description = "A native metric: name[[feature]] with an optional limit that makes it a guardrail — <MAX, >MIN or ~MARGIN (relative to control), e.g. " +
                          "'latency_p99<250', 'fairness.disparate_impact[Personal]>0.8', 'error_rate~0.5' (repeat)",
            AllowMultipleArgumentsPerToken = true,
        };
        var kind = new Option<string>("--kind") { Description = "ab, bandit or linucb", DefaultValueFactory = _ => ExperimentKinds.AB };
        var contextFeatures = new Option<string?>("--context")
        {
            Description = "Context features logged with each exposure, comma-separated (public features; linucb: the numeric features it chooses from)",
        };
        var floor = new Option<double?>("--floor") { Description = "Bandits: minimum traffic share per arm (default 0.05)" };
        var policy = new Option<string?>("--policy") { Description = "Bandit policy: thompson, ucb1 or epsilon-greedy" };
        var unit = new Option<string>("--unit-type") { Description = "What a unit is (user, customer …)", DefaultValueFactory = _ => "user" };
        var mde = new Option<double?>("--mde") { Description = "Minimum detectable effect, relative (0.05 = 5 %)" };
        var baseline = new Option<double?>("--baseline") { Description = "Expected control mean of the primary metric (for the power analysis)" };
        var coverage = new Option<double>("--coverage") { Description = "Share of units included", DefaultValueFactory = _ => 1 };
        var command = new Command("create", "Define an experiment (draft). Each arm's version must be approved and hold an alias (e.g. champion, challenger).")
            { name, model, arms, metrics, native, kind, policy, unit, mde, baseline, coverage, contextFeatures, floor };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var armList = parse.GetValue(arms)!.Select((a, i) => ParseArm(a, i == 0)).ToList();
            var metricList = parse.GetValue(metrics)!.Select((m, i) => ParseMetric(m, i == 0)).Concat((parse.GetValue(native) ?? []).Select(ParseNative)).ToList();
            var chosenKind = parse.GetValue(kind)!;
            var bandit = new BanditSettings(parse.GetValue(policy) ?? BanditPolicies.Thompson);
            if (parse.GetValue(floor) is { } f)
            {
                bandit = bandit with { Floor = f };
            }

            var features = parse.GetValue(contextFeatures)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var request = new CreateExperimentRequest(parse.GetValue(name)!, parse.GetValue(model)!, armList, metricList, chosenKind, parse.GetValue(unit)!,
                Coverage: parse.GetValue(coverage), Mde: parse.GetValue(mde), Baseline: parse.GetValue(baseline),
                Bandit: chosenKind == ExperimentKinds.AB ? null : bandit, ContextFeatures: features);
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

    private static ExperimentMetric ParseNative(string text)
    {
        const string Expected = "name[[feature]] optionally followed by <MAX, >MIN or ~MARGIN";
        var at = text.IndexOfAny(['<', '>', '~']);
        var head = at < 0 ? text : text[..at];
        string? feature = null;
        if (head.IndexOf('[', StringComparison.Ordinal) is var open and > 0)
        {
            feature = head.EndsWith(']') && head.Length > open + 2 ? head[(open + 1)..^1] : throw new CliException($"--native '{text}': expected {Expected}");
            head = head[..open];
        }

        if (head.Length == 0)
        {
            throw new CliException($"--native '{text}': expected {Expected}");
        }

        if (at < 0)
        {
            return new ExperimentMetric(head, MetricKinds.Native, MetricRoles.Secondary, Feature: feature);
        }

        if (!double.TryParse(text[(at + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var limit))
        {
            throw new CliException($"--native '{text}': the limit must be a number");
        }

        var metric = new ExperimentMetric(head, MetricKinds.Native, MetricRoles.Guardrail, Feature: feature);
        return text[at] switch
        {
            '<' => metric with { Max = limit },
            '>' => metric with { Min = limit },
            _ => metric with { Margin = limit },
        };
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
            WriteNative(context, results);
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

    /// <summary>Latency and error rate per arm (always), then the experiment's native metrics judged per arm.</summary>
    private static void WriteNative(CliContext context, ExperimentResults results)
    {
        var inv = CultureInfo.InvariantCulture;
        if (results.Serving is { Count: > 0 } serving)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Arm", "Requests", "Error rate", "Latency p50 (ms)", "Latency p99 (ms)");
            foreach (var a in serving)
            {
                table.AddRow(Markup.Escape(a.Arm), a.Requests.ToString("N0", inv), a.ErrorRate?.ToString("P2", inv) ?? "—", a.LatencyP50?.ToString("0.##", inv) ?? "—",
                    a.LatencyP99?.ToString("0.##", inv) ?? "—");
            }

            context.Console.MarkupLine("Serving (the experiment's requests in this phase):");
            context.Console.Write(table);
        }

        if (results.Native is not { Count: > 0 } native)
        {
            return;
        }

        var nativeTable = new Table().Border(TableBorder.Rounded).AddColumns("Native metric", "Role", "Of", "Arm", "Value", "vs control", "Limits", "Judged");
        foreach (var m in native)
        {
            var limits = string.Join(", ", new[]
            {
                m.Max is { } max ? $"max {max.ToString("0.####", inv)}" : null, m.Min is { } min ? $"min {min.ToString("0.####", inv)}" : null,
                m.Margin is { } margin ? $"margin {margin.ToString("P0", inv)}" : null,
            }.OfType<string>());
            foreach (var a in m.Arms)
            {
                var judged = a.Breach is { } b ? $"[red]breach: {Markup.Escape(b)}[/]" : a.Note is { } n ? Markup.Escape(n) : "ok";
                nativeTable.AddRow(Markup.Escape(m.Feature is null ? m.Metric : $"{m.Metric}[{m.Feature}]"), m.Role, m.Scope, Markup.Escape(a.Arm),
                    a.Value?.ToString("G4", inv) ?? "—", a.RelativeToControl?.ToString("+0.0%;-0.0%;0.0%", inv) ?? "", Markup.Escape(limits), judged);
            }
        }

        context.Console.Write(nativeTable);
    }

    private static Command Evaluate(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Experiment name" };
        var command = new Command("evaluate", "Decide now: stop on a guardrail breach, reallocate a bandit, propose a significant winner for promotion.") { name };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            foreach (var d in await client.EvaluateExperimentAsync(parse.GetValue(name)!, ct))
            {
                context.Console.MarkupLine($"{Markup.Escape(d.Experiment)}: {d.Action} — {Markup.Escape(d.Detail)}" +
                                           (d.ProposalId is { } id ? $" (proposal {Markup.Escape(id)}; decide with warden experiments accept|reject)" : ""));
            }

            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Phases(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Experiment name" };
        var arms = new Option<string[]>("--arm")
        {
            Description = "Start a new phase with these arms: name=version[:weight] (repeat; same arms keep every assigned unit on its arm)",
            AllowMultipleArgumentsPerToken = true,
        };
        var reason = new Option<string?>("--reason") { Description = "Why (required with --arm; recorded in the audit log)" };
        var coverage = new Option<double?>("--coverage") { Description = "New share of units included" };
        var reseed = new Option<bool>("--reseed") { Description = "Change the arms: a new seed re-randomises every unit, explicitly" };
        var command = new Command("phases", "List an experiment's phases, or start a new one with --arm (new weights or coverage; new arms need --reseed).")
            { name, arms, reason, coverage, reseed };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var experiment = parse.GetValue(name)!;
            var requested = parse.GetValue(arms) ?? [];
            ExperimentInfo info;
            if (requested.Length > 0)
            {
                var why = parse.GetValue(reason);
                if (string.IsNullOrWhiteSpace(why))
                {
                    throw new CliException("--reason is required to start a new phase");
                }

                var current = await client.GetExperimentAsync(experiment, ct);
                var controlName = current.Arms.FirstOrDefault(a => a.Control)?.Name;
                var armList = requested.Select(a => ParseArm(a, false)).ToList();
                var control = armList.FindIndex(a => a.Name == controlName);
                armList[control < 0 ? 0 : control] = armList[control < 0 ? 0 : control] with { Control = true };
                info = await client.NewExperimentPhaseAsync(experiment, new NewPhaseRequest(armList, why, parse.GetValue(coverage), parse.GetValue(reseed)), ct);
                context.Console.MarkupLine($"Experiment {Markup.Escape(info.Name)} is in phase {info.Phase}" + (info.Phases[^1].Reseeded ? " (reseeded: every unit re-randomised)." : "."));
            }
            else
            {
                info = await client.GetExperimentAsync(experiment, ct);
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Phase", "Started", "Arms", "Coverage", "Seed", "Reason", "By");
            foreach (var p in info.Phases)
            {
                table.AddRow(p.Number.ToString(CultureInfo.InvariantCulture) + (p.Reseeded ? " (reseeded)" : ""), Output.Time(p.StartedAt),
                    Markup.Escape(string.Join(", ", p.Arms.Select(a => $"{a.Name} v{a.Version} {a.Weight:P0}"))), p.Coverage.ToString("P0", CultureInfo.InvariantCulture),
                    Markup.Escape(p.Seed), Markup.Escape(p.Reason), Markup.Escape(p.ActorName));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command OffPolicy(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Experiment name" };
        var policy = new Option<string>("--policy")
        {
            Description = "The candidate's arm probabilities: arm=prob,... (e.g. treatment=1 for \"always treatment\"); missing arms get 0", Required = true,
        };
        var when = new Option<string[]>("--when")
        {
            Description = "Context rule, first match wins: FEATURE=VALUE:arm=prob,... or FEATURE<NUMBER:… or FEATURE>=NUMBER:… (repeat)",
            AllowMultipleArgumentsPerToken = true,
        };
        var metric = new Option<string?>("--metric") { Description = "Reward metric (default: the primary)" };
        var alpha = new Option<double>("--alpha") { Description = "1 − confidence level", DefaultValueFactory = _ => 0.05 };
        var json = KeysCommands.JsonOption();
        var command = new Command("off-policy", "Estimate a candidate policy's value from the logged decisions before it gets traffic (IPS, SNIPS, doubly robust).")
            { name, policy, when, metric, alpha, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var request = new OffPolicyRequest(ParseProbabilities(parse.GetValue(policy)!, "--policy"), (parse.GetValue(when) ?? []).Select(ParseRule).ToList(),
                parse.GetValue(metric), parse.GetValue(alpha));
            var result = await client.EvaluateOffPolicyAsync(parse.GetValue(name)!, request, ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, result);
                return WardenCli.Ok;
            }

            var level = (1 - request.Alpha).ToString("P0", CultureInfo.InvariantCulture);
            context.Console.MarkupLine($"{Markup.Escape(result.Experiment)}: candidate policy on {Markup.Escape(result.Metric)} from {result.Decisions:N0} logged decisions " +
                                       $"(epoch {result.Epoch}; effective sample size {result.EffectiveSampleSize:N1})");
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Estimator", "Value", "Std. error", $"{level} CI");
            void Row(string label, OffPolicyValue v) => table.AddRow(label, v.Value.ToString("G4", CultureInfo.InvariantCulture),
                v.StandardError.ToString("G3", CultureInfo.InvariantCulture), Markup.Escape($"[{v.CiLower:G4}, {v.CiUpper:G4}]"));
            Row("IPS", result.Ips);
            Row("SNIPS", result.SelfNormalized);
            Row("Doubly robust", result.DoublyRobust);
            Row("Logged policy (observed)", result.Logged);
            context.Console.Write(table);
            foreach (var warning in result.Warnings)
            {
                context.Console.MarkupLine($"[yellow]{Markup.Escape(warning)}[/]");
            }

            return WardenCli.Ok;
        }));
        return command;
    }

    private static Dictionary<string, double> ParseProbabilities(string text, string option)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (arm, p) = Split(part, '=', option, "arm=probability,...");
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var probability))
            {
                throw new CliException($"{option} '{text}': '{p}' is not a probability");
            }

            if (!result.TryAdd(arm, probability))
            {
                throw new CliException($"{option} '{text}': arm '{arm}' appears twice");
            }
        }

        return result.Count > 0 ? result : throw new CliException($"{option} '{text}': expected arm=probability,...");
    }

    private static OffPolicyRule ParseRule(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new CliException($"--when '{text}': expected FEATURE=VALUE:arm=prob,... (or FEATURE<NUMBER / FEATURE>=NUMBER)");
        }

        var condition = text[..colon];
        var arms = ParseProbabilities(text[(colon + 1)..], "--when");
        int at;
        if ((at = condition.IndexOf(">=", StringComparison.Ordinal)) > 0)
        {
            return new OffPolicyRule(condition[..at].Trim(), arms, Min: Number(condition[(at + 2)..]));
        }

        if ((at = condition.IndexOf('<', StringComparison.Ordinal)) > 0)
        {
            return new OffPolicyRule(condition[..at].Trim(), arms, Max: Number(condition[(at + 1)..]));
        }

        var (feature, value) = Split(condition, '=', "--when", "FEATURE=VALUE:arm=prob,...");
        return new OffPolicyRule(feature.Trim(), arms, Value: value.Trim());

        double Number(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n
            : throw new CliException($"--when '{text}': '{s}' is not a number");
    }

    private static Command Proposals(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = "Only this status (pending, accepted, rejected)" };
        var json = KeysCommands.JsonOption();
        var command = new Command("proposals", "Promotion proposals from experiments' winners, newest first.") { status, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var list = await client.ListPromotionProposalsAsync(parse.GetValue(status), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, list);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Id", "Experiment", "Model", "Promote", "Status", "Proposed", "By", "Evidence");
            foreach (var p in list)
            {
                table.AddRow(Markup.Escape(p.Id), Markup.Escape(p.Experiment), Markup.Escape(p.Model), Markup.Escape($"v{p.Version} → {p.Alias}"), p.Status,
                    Output.Time(p.ProposedAt), Markup.Escape(p.ProposedBy), Markup.Escape(p.Evidence));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Decide(CliContext context, string verb, string description,
        Func<Client.WardenClient, string, string, CancellationToken, Task<PromotionProposal>> call)
    {
        var id = new Argument<string>("id") { Description = "Proposal id (warden experiments proposals)" };
        var comment = new Option<string>("--comment") { Description = "Why (recorded in the audit log)", Required = true };
        var command = new Command(verb, description) { id, comment };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var p = await call(client, parse.GetValue(id)!, parse.GetValue(comment)!, ct);
            context.Console.MarkupLine($"Proposal {Markup.Escape(p.Id)} ({Markup.Escape(p.Experiment)}: v{p.Version} → '{Markup.Escape(p.Alias)}') is {p.Status}.");
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
