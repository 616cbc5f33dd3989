using System.Text.Json;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Cli.Tests;

/// <summary>The `warden` verbs against a real server: results for people, JSON for scripts, one-line errors with exit codes.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private WardenTestHost _host = null!;

    public async Task InitializeAsync() => _host = await WardenTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string[] Remote(params string[] args) => [.. args, "--server", _host.BaseAddress.ToString(), "--api-key", _host.AdminKey];

    [Fact]
    public async Task Help_documents_every_verb()
    {
        var root = await CliRunner.RunAsync("--help");
        Assert.Equal(0, root.ExitCode);
        foreach (var verb in new[] { "serve", "keys", "audit", "status", "--server", "--api-key" })
        {
            Assert.Contains(verb, root.Output, StringComparison.Ordinal);
        }

        var keys = await CliRunner.RunAsync("keys", "--help");
        Assert.All(new[] { "create", "list", "revoke" }, v => Assert.Contains(v, keys.Output, StringComparison.Ordinal));
        var audit = await CliRunner.RunAsync("audit", "--help");
        Assert.All(new[] { "list", "verify" }, v => Assert.Contains(v, audit.Output, StringComparison.Ordinal));
        var serve = await CliRunner.RunAsync("serve", "--help");
        Assert.All(new[] { "--urls", "--data", "--postgres", "WARDEN_URLS", "WARDEN_DATA" }, v => Assert.Contains(v, serve.Output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keys_are_created_listed_and_revoked()
    {
        var created = await CliRunner.RunAsync(Remote("keys", "create", "--name", "nightly-batch", "--role", "developer", "--role", "viewer", "--expires", "30d", "--json"));
        Assert.Equal(0, created.ExitCode);
        var key = JsonSerializer.Deserialize<CreatedApiKey>(created.Output, Json)!;
        Assert.StartsWith("wdn_", key.Secret, StringComparison.Ordinal);
        Assert.Equal([Roles.Developer, Roles.Viewer], key.Key.Roles);
        Assert.InRange(key.Key.ExpiresAt!.Value, DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));

        var human = await CliRunner.RunAsync(Remote("keys", "create", "--name", "person", "--role", "operator"));
        Assert.Equal(0, human.ExitCode);
        Assert.Contains("Copy the secret now", human.Output, StringComparison.Ordinal);
        Assert.Matches("wdn_[A-Za-z0-9_-]{43}", human.Output);

        var list = await CliRunner.RunAsync(Remote("keys", "list"));
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("nightly-batch", list.Output, StringComparison.Ordinal);
        Assert.Contains("developer, viewer", list.Output, StringComparison.Ordinal);

        var revoke = await CliRunner.RunAsync(Remote("keys", "revoke", key.Key.Id, "--reason", "rotated"));
        Assert.Equal(0, revoke.ExitCode);
        Assert.Contains("Revoked key nightly-batch", revoke.Output, StringComparison.Ordinal);

        var active = await CliRunner.RunAsync(Remote("keys", "list", "--json"));
        Assert.DoesNotContain(JsonSerializer.Deserialize<List<ApiKeyInfo>>(active.Output, Json)!, k => k.Id == key.Key.Id);
        var all = await CliRunner.RunAsync(Remote("keys", "list", "--all", "--json"));
        Assert.Contains(JsonSerializer.Deserialize<List<ApiKeyInfo>>(all.Output, Json)!, k => k.Id == key.Key.Id && k.Status == ApiKeyStatus.Revoked);
    }

    [Fact]
    public async Task Audit_list_filters_and_verify_reports_an_intact_chain()
    {
        await CliRunner.RunAsync(Remote("keys", "create", "--name", "audited", "--role", "viewer"));
        var list = await CliRunner.RunAsync(Remote("audit", "list", "--action", "keys.create"));
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("keys.create", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("keys.bootstrap", list.Output, StringComparison.Ordinal);

        var json = await CliRunner.RunAsync(Remote("audit", "list", "--json", "--page-size", "1"));
        var page = JsonSerializer.Deserialize<Page<AuditRecord>>(json.Output, Json)!;
        Assert.Single(page.Items);
        Assert.Equal(2, page.Total);

        var verify = await CliRunner.RunAsync(Remote("audit", "verify"));
        Assert.Equal(WardenCli.Ok, verify.ExitCode);
        Assert.Contains("Audit chain intact", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_verify_names_a_tampered_record_and_exits_2()
    {
        await CliRunner.RunAsync(Remote("keys", "create", "--name", "a", "--role", "viewer"));
        await CliRunner.RunAsync(Remote("keys", "create", "--name", "b", "--role", "viewer"));
        await _host.ExecuteSqlAsync("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET outcome = 'denied' WHERE seq = 2;");
        var verify = await CliRunner.RunAsync(Remote("audit", "verify"));
        Assert.Equal(WardenCli.ChainBroken, verify.ExitCode);
        Assert.Contains("BROKEN at record #2", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_reads_the_server_and_key_from_the_environment()
    {
        var env = new Dictionary<string, string> { ["WARDEN_URL"] = _host.BaseAddress.ToString(), ["WARDEN_API_KEY"] = _host.AdminKey };
        var status = await CliRunner.RunAsync(env, "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains($"sqlite (schema v{Warden.Server.Data.Migrator.Load(Warden.Server.Data.StorageEngine.Sqlite).Max(m => m.Version)})", status.Output, StringComparison.Ordinal);
        Assert.Contains("bootstrap-admin", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mistakes_get_one_line_and_a_nonzero_exit()
    {
        var server = _host.BaseAddress.ToString();
        var noKey = await CliRunner.RunAsync("keys", "list", "--server", server);
        AssertOneLineError(noKey, "no API key");

        var badKey = await CliRunner.RunAsync("keys", "list", "--server", server, "--api-key", "wdn_wrong");
        AssertOneLineError(badKey, "401");

        var viewer = await _host.CreateKeyAsync(Roles.Viewer);
        var forbidden = await CliRunner.RunAsync("keys", "list", "--server", server, "--api-key", viewer);
        AssertOneLineError(forbidden, "ManageKeys");

        var badRole = await CliRunner.RunAsync(Remote("keys", "create", "--name", "x", "--role", "superuser"));
        AssertOneLineError(badRole, "superuser");

        var badExpiry = await CliRunner.RunAsync(Remote("keys", "create", "--name", "x", "--role", "viewer", "--expires", "soon"));
        AssertOneLineError(badExpiry, "--expires 'soon'");

        var unreachable = await CliRunner.RunAsync("status", "--server", "http://127.0.0.1:9", "--api-key", _host.AdminKey);
        AssertOneLineError(unreachable, "cannot reach");

        var badUrl = await CliRunner.RunAsync("status", "--server", "ftp://x", "--api-key", _host.AdminKey);
        AssertOneLineError(badUrl, "not an http(s) URL");

        var missingOption = await CliRunner.RunAsync(Remote("keys", "create", "--role", "viewer"));
        Assert.NotEqual(0, missingOption.ExitCode);
        Assert.Contains("--name", missingOption.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_reports_an_unreachable_database_in_one_line()
    {
        var result = await CliRunner.RunAsync("serve", "--urls", "http://127.0.0.1:0", "--postgres", "Host=127.0.0.1;Port=9;Username=nobody;Timeout=3",
            "--data", Path.Combine(Path.GetTempPath(), "warden-cli-" + Guid.NewGuid().ToString("N")));
        AssertOneLineError(result, "could not start");
    }

    [Fact]
    public void Expiry_accepts_durations_and_dates()
    {
        Assert.InRange(KeysCommands.ParseExpiry("12h")!.Value, DateTimeOffset.UtcNow.AddHours(11.9), DateTimeOffset.UtcNow.AddHours(12.1));
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), KeysCommands.ParseExpiry("2027-01-31"));
        Assert.Null(KeysCommands.ParseExpiry(null));
        Assert.Throws<CliException>(() => KeysCommands.ParseExpiry("3w"));
    }

    private static void AssertOneLineError(CliRunner.Result result, string mentioned)
    {
        Assert.Equal(WardenCli.Failed, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one error line, got: {result.Error}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(mentioned, lines[0], StringComparison.Ordinal);
    }
}
