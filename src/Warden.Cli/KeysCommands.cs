using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Warden.Contracts;

namespace Warden.Cli;

/// <summary>`warden keys create|list|revoke`.</summary>
internal static class KeysCommands
{
    public static Command Build(CliContext context)
    {
        var keys = new Command("keys", "Manage API keys (needs an admin key).");
        keys.Subcommands.Add(Create(context));
        keys.Subcommands.Add(List(context));
        keys.Subcommands.Add(Revoke(context));
        keys.Subcommands.Add(RotateKek(context));
        keys.Subcommands.Add(Status(context));
        return keys;
    }

    private static Command Create(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "A label for the key, unique among active keys", Required = true };
        var roles = new Option<string[]>("--role")
        {
            Description = $"Role to grant; repeat for several ({string.Join(", ", Roles.All)})",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var expires = new Option<string?>("--expires") { Description = "Expiry: a duration such as 90d or 12h, or a UTC date/time (2027-01-31)" };
        var json = JsonOption();
        var command = new Command("create", "Create an API key; its secret is printed once and never again.") { name, roles, expires, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var expiresAt = ParseExpiry(parse.GetValue(expires));
            var created = await client.CreateKeyAsync(new CreateApiKeyRequest(parse.GetValue(name)!, parse.GetValue(roles) ?? [], expiresAt), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, created);
                return WardenCli.Ok;
            }

            context.Console.MarkupLine($"Created key [bold]{Markup.Escape(created.Key.Name)}[/] ({created.Key.Id}) with roles {Markup.Escape(string.Join(", ", created.Key.Roles))}.");
            context.Console.MarkupLine("[yellow]Copy the secret now: Warden stores only its hash and will never show it again.[/]");
            context.Console.WriteLine(created.Secret);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var all = new Option<bool>("--all") { Description = "Include revoked and expired keys" };
        var json = JsonOption();
        var command = new Command("list", "List API keys.") { all, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var list = await client.ListKeysAsync(parse.GetValue(all), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, list);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Id", "Name", "Prefix", "Roles", "Created (UTC)", "Expires (UTC)", "Status");
            foreach (var k in list)
            {
                var status = k.Status == ApiKeyStatus.Active ? "[green]active[/]" : $"[grey]{k.Status}[/]";
                table.AddRow(Markup.Escape(k.Id), Markup.Escape(k.Name), Markup.Escape(k.Prefix), Markup.Escape(string.Join(", ", k.Roles)),
                    Output.Time(k.CreatedAt), Output.Time(k.ExpiresAt), status);
            }

            context.Console.Write(table);
            context.Console.MarkupLine($"[grey]{list.Count} key(s)[/]");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The key id (k_…), as shown by `warden keys list`" };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the audit log)" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("revoke", "Revoke an API key; it stops working at once.") { id, reason, yes };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            if (!parse.GetValue(yes) && context.Console.Profile.Capabilities.Interactive &&
                !await context.Console.ConfirmAsync($"Revoke key [bold]{Markup.Escape(parse.GetValue(id)!)}[/]? Anything using it stops working at once.", defaultValue: false, ct))
            {
                context.Console.MarkupLine("Nothing revoked.");
                return WardenCli.Ok;
            }

            var revoked = await client.RevokeKeyAsync(parse.GetValue(id)!, parse.GetValue(reason), ct);
            context.Console.MarkupLine($"Revoked key [bold]{Markup.Escape(revoked.Name)}[/] ({revoked.Id}).");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command RotateKek(CliContext context)
    {
        var command = new Command("rotate-kek", "Create a new key-encryption key and rewrap every data key with it; stored data is not re-encrypted and stays readable.");
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var result = await client.RotateKekAsync(ct);
            context.Console.MarkupLine($"Key-encryption key is now version {result.KekVersion}; {result.DataKeysRewrapped} data key(s) rewrapped.");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Status(CliContext context)
    {
        var json = JsonOption();
        var command = new Command("encryption", "Show the key-encryption key version and the data keys it protects.") { json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var status = await client.GetKeyStatusAsync(ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, status);
                return WardenCli.Ok;
            }

            context.Console.MarkupLine($"Current key-encryption key: version {status.CurrentKekVersion}");
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Purpose", "KEK version", "Live", "Destroyed");
            foreach (var g in status.DataKeys)
            {
                table.AddRow(g.Purpose, g.KekVersion.ToString(CultureInfo.InvariantCulture), g.Live.ToString(CultureInfo.InvariantCulture), g.Destroyed.ToString(CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    internal static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of a table" };

    /// <summary>Parses "90d", "12h", "30m" or an ISO date/time (UTC when no offset is given).</summary>
    internal static DateTimeOffset? ParseExpiry(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        if (text.Length > 1 && char.IsAsciiLetter(text[^1]) &&
            double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            var span = char.ToLowerInvariant(text[^1]) switch
            {
                'd' => TimeSpan.FromDays(amount),
                'h' => TimeSpan.FromHours(amount),
                'm' => TimeSpan.FromMinutes(amount),
                _ => throw new CliException($"--expires '{text}': use a number followed by d, h or m (e.g. 90d), or a date."),
            };
            return DateTimeOffset.UtcNow + span;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        throw new CliException($"--expires '{text}' is neither a duration (90d, 12h, 30m) nor a date (2027-01-31).");
    }
}
