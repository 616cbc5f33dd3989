using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Spectre.Console;
using Warden.Contracts;

namespace Warden.Cli;

/// <summary>`warden models …`: the registry and governance verbs.</summary>
internal static class ModelsCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command Build(CliContext context)
    {
        var models = new Command("models", "Register models and versions and take them through validation, approval and promotion.");
        foreach (var command in new[]
                 {
                     Create(context), List(context), Show(context), Upload(context), Card(context), Submit(context), Validate(context),
                     SignOff(context, "approve", "Give an approval sign-off (compliance gates must pass).", SignOffKinds.Approval),
                     SignOff(context, "reject", "Reject a submitted or validated version.", SignOffKinds.Rejection),
                     Promote(context), Rollback(context), History(context), Retire(context), GatesCommand(context), GateException(context), Queue(context),
                     Traffic(context),
                 })
        {
            models.Subcommands.Add(command);
        }

        return models;
    }

    private static Argument<string> NameArg() => new("name") { Description = "Model name" };

    private static Argument<int> VersionArg() => new("version") { Description = "Version number" };

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    private static Command Create(CliContext context)
    {
        var name = NameArg();
        var owner = Required("--owner", "Accountable owner (person or team)");
        var tier = new Option<int>("--tier") { Description = "Risk tier: 1 (high), 2 or 3 (low)", Required = true };
        var description = new Option<string?>("--description") { Description = "What the model does" };
        var purpose = new Option<string?>("--purpose") { Description = "Business purpose" };
        var task = new Option<string>("--task") { Description = "binary_classification or regression", DefaultValueFactory = _ => ModelTasks.BinaryClassification };
        var sensitive = new Option<string[]>("--sensitive") { Description = "Sensitive attribute; numeric ones with bin edges: Age:25 or Age:25,60 (repeat)", AllowMultipleArgumentsPerToken = true };
        var tags = new Option<string[]>("--tag") { Description = "Tag (repeat)", AllowMultipleArgumentsPerToken = true };
        var thresholds = new Option<string[]>("--threshold") { Description = "Metric threshold such as roc_auc>=0.75 or log_loss<=0.5 (repeat)", AllowMultipleArgumentsPerToken = true };
        var json = KeysCommands.JsonOption();
        var command = new Command("create", "Register a model.") { name, owner, tier, description, purpose, task, sensitive, tags, thresholds, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var model = await client.CreateModelAsync(new CreateModelRequest(
                parse.GetValue(name)!, parse.GetValue(owner)!, parse.GetValue(tier), parse.GetValue(description), parse.GetValue(purpose), parse.GetValue(task)!,
                (parse.GetValue(sensitive) ?? []).Select(ParseSensitive).ToList(), parse.GetValue(tags) ?? [],
                (parse.GetValue(thresholds) ?? []).Select(ParseThreshold).ToList()), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, model);
            }
            else
            {
                context.Console.MarkupLine($"Registered model [bold]{Markup.Escape(model.Name)}[/] (tier {model.RiskTier}, owner {Markup.Escape(model.Owner)}).");
            }

            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var search = new Option<string?>("--search") { Description = "Text in name, owner, description or purpose" };
        var tier = new Option<int?>("--tier") { Description = "Only this risk tier" };
        var owner = new Option<string?>("--owner") { Description = "Only this owner" };
        var tag = new Option<string?>("--tag") { Description = "Only models with this tag" };
        var page = new Option<int>("--page") { DefaultValueFactory = _ => 1, Description = "Page number" };
        var pageSize = new Option<int>("--page-size") { DefaultValueFactory = _ => 50, Description = "Models per page (1–500)" };
        var json = KeysCommands.JsonOption();
        var command = new Command("list", "List and search models.") { search, tier, owner, tag, page, pageSize, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var result = await client.SearchModelsAsync(new ModelQuery
            {
                Search = parse.GetValue(search), RiskTier = parse.GetValue(tier), Owner = parse.GetValue(owner), Tag = parse.GetValue(tag),
                Page = parse.GetValue(page), PageSize = parse.GetValue(pageSize),
            }, ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, result);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Name", "Tier", "Owner", "Versions", "Latest", "Aliases", "Review due");
            foreach (var m in result.Items)
            {
                table.AddRow(Markup.Escape(m.Name), m.RiskTier.ToString(CultureInfo.InvariantCulture), Markup.Escape(m.Owner), m.VersionCount.ToString(CultureInfo.InvariantCulture),
                    m.LatestVersion is null ? "—" : $"v{m.LatestVersion} {m.LatestState}", Markup.Escape(string.Join(", ", m.Aliases.Select(a => $"{a.Key}→v{a.Value}"))),
                    m.NextReviewDue is null ? "—" : (m.ReviewOverdue ? "[red]OVERDUE[/] " : "") + Output.Time(m.NextReviewDue)[..10]);
            }

            context.Console.Write(table);
            context.Console.MarkupLine($"[grey]page {result.PageNumber} · {result.Items.Count} of {result.Total} model(s)[/]");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var name = NameArg();
        var version = new Option<int?>("--version") { Description = "Show one version in detail" };
        var json = KeysCommands.JsonOption();
        var command = new Command("show", "Show a model and its versions, or one version with its signature, sign-offs and gates.") { name, version, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var n = parse.GetValue(name)!;
            if (parse.GetValue(version) is { } v)
            {
                var info = await client.GetVersionAsync(n, v, ct);
                var gates = await client.GetGatesAsync(n, v, ct);
                if (parse.GetValue(json))
                {
                    Output.Json(context, new { version = info, gates });
                    return WardenCli.Ok;
                }

                context.Console.MarkupLine($"[bold]{Markup.Escape(n)} v{v}[/] — {info.State}{(info.ReviewOverdue ? " [red](review overdue)[/]" : "")}");
                context.Console.MarkupLine($"artifact {info.Format} sha256 {info.ArtifactSha256} ({info.ArtifactBytes:N0} bytes), by {Markup.Escape(info.CreatedByName)} {Output.Time(info.CreatedAt)}");
                context.Console.MarkupLine($"features: {Markup.Escape(string.Join(", ", info.Signature.Features.Select(f => $"{f.Name}:{f.Kind}")))}");
                context.Console.MarkupLine($"aliases: {Markup.Escape(info.Aliases.Count == 0 ? "none" : string.Join(", ", info.Aliases))}; next actions: {string.Join(", ", info.AllowedTransitions)}");
                foreach (var s in info.SignOffs)
                {
                    context.Console.MarkupLine($"  {s.Kind} by {Markup.Escape(s.ActorName)} ({Markup.Escape(s.Person)}) {Output.Time(s.At)}: {Markup.Escape(s.Comment)}");
                }

                WriteGates(context, gates);
                return WardenCli.Ok;
            }

            var model = await client.GetModelAsync(n, ct);
            var versions = await client.ListVersionsAsync(n, ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, new { model, versions });
                return WardenCli.Ok;
            }

            context.Console.MarkupLine($"[bold]{Markup.Escape(model.Name)}[/] — tier {model.RiskTier}, {model.Task}, owner {Markup.Escape(model.Owner)}");
            if (model.Description is not null)
            {
                context.Console.MarkupLine(Markup.Escape(model.Description));
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Version", "State", "Format", "Author", "Created (UTC)", "Review due", "Aliases");
            foreach (var v2 in versions)
            {
                table.AddRow($"v{v2.Version}", v2.State, v2.Format, Markup.Escape(v2.CreatedByName), Output.Time(v2.CreatedAt),
                    (v2.ReviewOverdue ? "[red]OVERDUE[/] " : "") + (v2.ReviewDueAt is null ? "—" : Output.Time(v2.ReviewDueAt)[..10]), Markup.Escape(string.Join(", ", v2.Aliases)));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Upload(CliContext context)
    {
        var name = NameArg();
        var file = new Argument<FileInfo>("file") { Description = "The artifact: an .onnx model or an ML.NET .zip" };
        var metadata = new Option<FileInfo?>("--metadata") { Description = "JSON file with upload metadata (features, labelColumn, lineage, dataClassification, reviewDueAt)" };
        var label = new Option<string?>("--label-column") { Description = "ML.NET: the input column holding the label" };
        var parent = new Option<int?>("--parent") { Description = "Lineage: the version this one derives from" };
        var code = new Option<string?>("--code-ref") { Description = "Lineage: code reference (commit, tag, URL)" };
        var training = new Option<FileInfo?>("--training-data") { Description = "Lineage: the training CSV, fingerprinted locally (SHA-256, rows, columns); it is not uploaded" };
        var parameters = new Option<string[]>("--param") { Description = "Lineage: hyper-parameter key=value (repeat)", AllowMultipleArgumentsPerToken = true };
        var metrics = new Option<string[]>("--train-metric") { Description = "Lineage: training metric key=number (repeat)", AllowMultipleArgumentsPerToken = true };
        var json = KeysCommands.JsonOption();
        var command = new Command("upload", "Upload an artifact as a new draft version (its signature is read from the artifact).")
            { name, file, metadata, label, parent, code, training, parameters, metrics, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var artifact = ReadFile(parse.GetValue(file)!);
            var meta = parse.GetValue(metadata) is { } m ? ReadJson<UploadVersionMetadata>(m) : new UploadVersionMetadata();
            var lineage = meta.Lineage ?? new VersionLineage();
            lineage = lineage with
            {
                ParentVersion = parse.GetValue(parent) ?? lineage.ParentVersion,
                CodeReference = parse.GetValue(code) ?? lineage.CodeReference,
                TrainingData = parse.GetValue(training) is { } t ? Fingerprint(t) : lineage.TrainingData,
                HyperParameters = Pairs(parse.GetValue(parameters), "--param") is { Count: > 0 } hp ? hp : lineage.HyperParameters,
                TrainingMetrics = Pairs(parse.GetValue(metrics), "--train-metric") is { Count: > 0 } tm
                    ? tm.ToDictionary(kv => kv.Key, kv => double.TryParse(kv.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
                        : throw new CliException($"--train-metric {kv.Key}: '{kv.Value}' is not a number"), StringComparer.Ordinal)
                    : lineage.TrainingMetrics,
            };
            meta = meta with { Lineage = lineage, LabelColumn = parse.GetValue(label) ?? meta.LabelColumn };
            var version = await client.UploadVersionAsync(parse.GetValue(name)!, artifact, parse.GetValue(file)!.Name, meta, ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, version);
                return WardenCli.Ok;
            }

            context.Console.MarkupLine($"Uploaded [bold]{Markup.Escape(version.ModelName)} v{version.Version}[/] ({version.Format}, sha256 {version.ArtifactSha256[..12]}…) as a draft.");
            context.Console.MarkupLine($"Signature: {version.Signature.Inputs.Count} input(s), {version.Signature.Outputs.Count} output(s); features: {Markup.Escape(string.Join(", ", version.Signature.Features.Select(f => f.Name)))}");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Card(CliContext context)
    {
        var name = NameArg();
        var version = VersionArg();
        var set = new Option<FileInfo?>("--set") { Description = "Replace the card with this JSON file (drafts only)" };
        var markdown = new Option<bool>("--markdown") { Description = "Print the card as Markdown" };
        var command = new Command("card", "Show, export (--markdown) or replace (--set) a version's model card.") { name, version, set, markdown };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var (n, v) = (parse.GetValue(name)!, parse.GetValue(version));
            if (parse.GetValue(set) is { } file)
            {
                await client.UpdateCardAsync(n, v, ReadJson<ModelCard>(file), ct);
                context.Console.MarkupLine($"Updated the model card of {Markup.Escape(n)} v{v}.");
                return WardenCli.Ok;
            }

            if (parse.GetValue(markdown))
            {
                context.Console.Profile.Out.Writer.Write(await client.GetCardMarkdownAsync(n, v, ct));
                return WardenCli.Ok;
            }

            Output.Json(context, await client.GetCardAsync(n, v, ct));
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Submit(CliContext context)
    {
        var (name, version, reason) = (NameArg(), VersionArg(), Required("--reason", "Why it is ready"));
        var command = new Command("submit", "draft → submitted: freeze the card and send the version for validation and approval.") { name, version, reason };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var info = await client.SubmitVersionAsync(parse.GetValue(name)!, parse.GetValue(version), parse.GetValue(reason)!, ct);
            context.Console.MarkupLine($"{Markup.Escape(info.ModelName)} v{info.Version} is {info.State}; review due {Output.Time(info.ReviewDueAt)}.");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Validate(CliContext context)
    {
        var (name, version) = (NameArg(), VersionArg());
        var data = new Option<FileInfo>("--data") { Description = "Labelled hold-out data set (CSV with a header row)", Required = true };
        var label = Required("--label", "The column holding the true label");
        var positive = new Option<string?>("--positive") { Description = "The label value of the positive class (e.g. Good); default 1/true" };
        var signOff = new Option<string?>("--sign-off") { Description = "Also give the validation sign-off with this comment" };
        var json = KeysCommands.JsonOption();
        var command = new Command("validate", "Score a labelled hold-out set on the server, record metrics and fairness, and optionally sign off.")
            { name, version, data, label, positive, signOff, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var (n, v) = (parse.GetValue(name)!, parse.GetValue(version));
            var run = await context.Console.Status().StartAsync("Scoring the hold-out set…",
                _ => client.RunValidationAsync(n, v, ReadFile(parse.GetValue(data)!), parse.GetValue(label)!, parse.GetValue(positive), ct));
            ModelVersionInfo? signed = null;
            if (parse.GetValue(signOff) is { } comment)
            {
                signed = await client.ValidateVersionAsync(n, v, comment, ct);
            }

            if (parse.GetValue(json))
            {
                Output.Json(context, new { run, version = signed });
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Metric", "Value");
            foreach (var (metric, value) in run.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                table.AddRow(metric, value.ToString("0.####", CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
            foreach (var f in run.Fairness)
            {
                context.Console.MarkupLine($"{Markup.Escape(f.Attribute)}: disparate impact {f.DisparateImpact:0.###}, equal-opportunity difference {f.EqualOpportunityDifference:0.###} " +
                                           $"({Markup.Escape(string.Join("; ", f.Groups.Select(g => $"{g.Group} n={g.Count} sel={g.SelectionRate:0.###}")))})");
            }

            context.Console.MarkupLine($"Recorded validation run {run.Id} on {run.Dataset.Rows} rows (sha256 {run.Dataset.Sha256[..12]}…).");
            if (signed is not null)
            {
                context.Console.MarkupLine($"Validation sign-off recorded; {Markup.Escape(signed.ModelName)} v{signed.Version} is {signed.State}.");
            }

            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command SignOff(CliContext context, string verb, string description, string kind)
    {
        var (name, version, comment) = (NameArg(), VersionArg(), Required("--comment", "The reviewer's comment (kept with the sign-off)"));
        var command = new Command(verb, description) { name, version, comment };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var (n, v, c) = (parse.GetValue(name)!, parse.GetValue(version), parse.GetValue(comment)!);
            var info = kind == SignOffKinds.Approval ? await client.ApproveVersionAsync(n, v, c, ct) : await client.RejectVersionAsync(n, v, c, ct);
            context.Console.MarkupLine($"{(kind == SignOffKinds.Approval ? "Approval" : "Rejection")} recorded; {Markup.Escape(info.ModelName)} v{info.Version} is {info.State}.");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Promote(CliContext context)
    {
        var (name, version) = (NameArg(), VersionArg());
        var alias = new Option<string>("--alias") { Description = "Stage alias: champion, challenger, staging …", DefaultValueFactory = _ => "champion" };
        var reason = Required("--reason", "Why (kept in the alias history)");
        var command = new Command("promote", "Move a stage alias to an approved version.") { name, version, alias, reason };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var e = await client.PromoteAsync(parse.GetValue(name)!, parse.GetValue(alias)!, parse.GetValue(version), parse.GetValue(reason)!, ct);
            context.Console.MarkupLine($"'{e.Alias}' now points to v{e.Version}{(e.PreviousVersion is null ? "" : $" (was v{e.PreviousVersion})")}.");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Rollback(CliContext context)
    {
        var name = NameArg();
        var alias = new Option<string>("--alias") { Description = "Stage alias", DefaultValueFactory = _ => "champion" };
        var reason = Required("--reason", "Why");
        var command = new Command("rollback", "Return an alias to its previous holder.") { name, alias, reason };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var e = await client.RollbackAsync(parse.GetValue(name)!, parse.GetValue(alias)!, parse.GetValue(reason)!, ct);
            context.Console.MarkupLine($"'{e.Alias}' rolled back to v{e.Version} (was v{e.PreviousVersion}).");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command History(CliContext context)
    {
        var name = NameArg();
        var alias = new Option<string?>("--alias") { Description = "Only this alias" };
        var at = new Option<string?>("--at") { Description = "With --alias: which version held it at this UTC time, and who approved it" };
        var version = new Option<int?>("--version") { Description = "The lifecycle history of one version instead" };
        var json = KeysCommands.JsonOption();
        var command = new Command("history", "Alias history (which version served when, approved by whom) or a version's lifecycle.") { name, alias, at, version, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var n = parse.GetValue(name)!;
            if (parse.GetValue(version) is { } v)
            {
                var vh = await client.GetVersionHistoryAsync(n, v, ct);
                if (parse.GetValue(json))
                {
                    Output.Json(context, vh);
                    return WardenCli.Ok;
                }

                var t = new Table().Border(TableBorder.Rounded).AddColumns("When (UTC)", "From", "To", "By", "Reason");
                foreach (var tr in vh.Transitions)
                {
                    t.AddRow(Output.Time(tr.At), tr.From, tr.To, Markup.Escape(tr.ActorName), Markup.Escape(tr.Reason));
                }

                context.Console.Write(t);
                return WardenCli.Ok;
            }

            DateTimeOffset? when = parse.GetValue(at) is { } text
                ? DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) ? parsed
                : throw new CliException($"--at '{text}' is not a date/time")
                : null;
            if (when is not null && parse.GetValue(alias) is null)
            {
                throw new CliException("--at needs --alias (which alias's holder at that time?)");
            }

            var history = await client.GetModelHistoryAsync(n, parse.GetValue(alias), when, ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, history);
                return WardenCli.Ok;
            }

            if (history.Holding is { } h)
            {
                context.Console.MarkupLine(h.Version is null
                    ? $"No version held '{Markup.Escape(h.Alias)}' at {Output.Time(h.At)}."
                    : $"At {Output.Time(h.At)} '{Markup.Escape(h.Alias)}' was [bold]v{h.Version}[/] (since {Output.Time(h.Since)}, promoted by {Markup.Escape(h.PromotedBy ?? "?")}); " +
                      $"approved by {Markup.Escape(string.Join(", ", h.Approvals.Select(a => $"{a.ActorName} ({a.Person}) {Output.Time(a.At)}")))}.");
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("When (UTC)", "Alias", "Version", "Previous", "By", "Reason");
            foreach (var e in history.AliasEvents)
            {
                table.AddRow(Output.Time(e.At), Markup.Escape(e.Alias), e.Version is null ? "(removed)" : $"v{e.Version}", e.PreviousVersion is null ? "—" : $"v{e.PreviousVersion}",
                    Markup.Escape(e.ActorName), Markup.Escape(e.Reason));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Retire(CliContext context)
    {
        var (name, version, reason) = (NameArg(), VersionArg(), Required("--reason", "Why"));
        var command = new Command("retire", "Retire a version (it loses any alias).") { name, version, reason };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var info = await client.RetireVersionAsync(parse.GetValue(name)!, parse.GetValue(version), parse.GetValue(reason)!, ct);
            context.Console.MarkupLine($"{Markup.Escape(info.ModelName)} v{info.Version} is retired.");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command GatesCommand(CliContext context)
    {
        var (name, version) = (NameArg(), VersionArg());
        var json = KeysCommands.JsonOption();
        var command = new Command("gates", "Evaluate the compliance gates of a version, with evidence.") { name, version, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var report = await client.GetGatesAsync(parse.GetValue(name)!, parse.GetValue(version), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, report);
            }
            else
            {
                WriteGates(context, report);
            }

            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command GateException(CliContext context)
    {
        var (name, version) = (NameArg(), VersionArg());
        var gate = Required("--gate", "The failing gate (e.g. fairness)");
        var justification = Required("--justification", "The documented reason (at least 20 characters)");
        var command = new Command("gate-exception", "Record an admin's documented exception to a failing gate.") { name, version, gate, justification };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var report = await client.AddGateExceptionAsync(parse.GetValue(name)!, parse.GetValue(version), new GateExceptionRequest(parse.GetValue(gate)!, parse.GetValue(justification)!), ct);
            WriteGates(context, report);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Queue(CliContext context)
    {
        var json = KeysCommands.JsonOption();
        var command = new Command("queue", "Versions waiting for validation or approval.") { json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var queue = await client.GetApprovalQueueAsync(ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, queue);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Model", "Tier", "Version", "State", "Author", "Submitted (UTC)", "Needs", "Failing gates");
            foreach (var q in queue)
            {
                table.AddRow(Markup.Escape(q.Model), q.RiskTier.ToString(CultureInfo.InvariantCulture), $"v{q.Version}", q.State, Markup.Escape(q.Author), Output.Time(q.SubmittedAt),
                    $"{q.ValidationsNeeded} validation(s), {q.ApprovalsNeeded} approval(s)", Markup.Escape(string.Join(", ", q.FailingGates)));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Traffic(CliContext context)
    {
        var name = NameArg();
        var routes = new Option<string[]>("--route") { Description = "alias=weight, e.g. champion=90 (repeat); without routes the policy is shown", AllowMultipleArgumentsPerToken = true };
        var shadows = new Option<string[]>("--shadow") { Description = "Alias that receives a copy of traffic (repeat)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("traffic", "Show or set how traffic splits between aliases (canary, sticky by unit id) and which aliases shadow it.") { name, routes, shadows };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var n = parse.GetValue(name)!;
            var given = parse.GetValue(routes) ?? [];
            var policy = given.Length == 0
                ? await client.GetTrafficAsync(n, ct)
                : await client.SetTrafficAsync(n, new TrafficPolicy(given.Select(r => r.Split('=', 2)).Select(p =>
                        p.Length == 2 && double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var w)
                            ? new TrafficRoute(p[0], w)
                            : throw new CliException($"--route '{string.Join('=', p)}': write alias=weight, e.g. champion=90")).ToList(),
                    parse.GetValue(shadows) ?? []), ct);
            var total = policy.Routes.Sum(r => r.Weight);
            foreach (var route in policy.Routes)
            {
                context.Console.MarkupLine($"{Markup.Escape(route.Alias)}: {route.Weight / total:P1}");
            }

            context.Console.MarkupLine($"shadows: {Markup.Escape(policy.Shadows is { Count: > 0 } s ? string.Join(", ", s) : "none")}");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static void WriteGates(CliContext context, GateReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Gate", "Status", "Evidence");
        foreach (var g in report.Gates)
        {
            var status = g.Status switch { "pass" => "[green]pass[/]", "fail" => "[red]FAIL[/]", "excepted" => "[yellow]excepted[/]", _ => "[grey]n/a[/]" };
            table.AddRow(g.Gate, status, Markup.Escape(g.Evidence));
        }

        context.Console.Write(table);
        context.Console.MarkupLine(report.Passed ? "[green]All gates pass or are excepted.[/]" : "[red]Approval is blocked by failing gates.[/]");
    }

    private static SensitiveAttribute ParseSensitive(string text)
    {
        var parts = text.Split(':', 2);
        if (parts.Length == 1)
        {
            return new SensitiveAttribute(parts[0]);
        }

        var bins = parts[1].Split(',').Select(b => double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
            : throw new CliException($"--sensitive '{text}': bin edges must be numbers, e.g. Age:25,60")).ToList();
        return new SensitiveAttribute(parts[0], bins);
    }

    private static MetricThreshold ParseThreshold(string text)
    {
        foreach (var op in new[] { ">=", "<=" })
        {
            var at = text.IndexOf(op, StringComparison.Ordinal);
            if (at > 0 && double.TryParse(text[(at + 2)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                var metric = text[..at].Trim();
                return op == ">=" ? new MetricThreshold(metric, Min: value) : new MetricThreshold(metric, Max: value);
            }
        }

        throw new CliException($"--threshold '{text}': write metric>=number or metric<=number, e.g. roc_auc>=0.75");
    }

    private static Dictionary<string, string> Pairs(string[]? items, string option) =>
        (items ?? []).Select(i => i.Split('=', 2)).ToDictionary(
            p => p.Length == 2 && p[0].Length > 0 ? p[0] : throw new CliException($"{option} '{string.Join('=', p)}': write key=value"),
            p => p[1], StringComparer.Ordinal);

    private static byte[] ReadFile(FileInfo file) =>
        file.Exists ? File.ReadAllBytes(file.FullName) : throw new CliException($"file '{file.FullName}' does not exist");

    private static T ReadJson<T>(FileInfo file)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(ReadFile(file), Json) ?? throw new CliException($"'{file.Name}' is empty");
        }
        catch (JsonException e)
        {
            throw new CliException($"'{file.Name}' is not valid JSON: {e.Message}");
        }
    }

    private static DataFingerprint Fingerprint(FileInfo file)
    {
        var bytes = ReadFile(file);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            throw new CliException($"--training-data '{file.Name}' is empty");
        }

        var header = lines[0].TrimEnd('\r').Split(',');
        var rows = lines.Skip(1).Select(l => l.TrimEnd('\r').Split(',')).ToList();
        var columns = header.Select((h, i) => new ColumnSchema(h.Trim('"'),
            rows.All(r => i >= r.Length || r[i].Length == 0 || double.TryParse(r[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) ? "numeric" : "string")).ToList();
        return new DataFingerprint(Convert.ToHexStringLower(SHA256.HashData(bytes)), rows.Count, columns);
    }
}
