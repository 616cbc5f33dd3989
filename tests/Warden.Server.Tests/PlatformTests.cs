using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The host's promises: health probes, OpenAPI, API reference, metrics, request ids, problem details for
/// every client mistake, request size limits and graceful shutdown.</summary>
public sealed class PlatformTests : IAsyncLifetime
{
    private WardenTestHost _host = null!;

    public async Task InitializeAsync() => _host = await WardenTestHost.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Warden:MaxRequestBodyBytes"] = "4096",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private HttpClient Admin()
    {
        var http = _host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _host.AdminKey);
        return http;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement.Clone();
        Assert.Equal((int)expected, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("requestId").GetString()));
        return root;
    }

    [Fact]
    public async Task Health_probes_answer_without_a_key()
    {
        using var http = _host.Http();
        using var live = await http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("healthy", json.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_openapi_document_describes_every_api_route_with_its_security()
    {
        using var http = _host.Http();
        using var json = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var root = json.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = root.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/keys", "/api/v1/keys/{id}/revoke", "/api/v1/audit", "/api/v1/audit/verify", "/api/v1/me", "/api/v1/server" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        }

        var create = paths.GetProperty("/api/v1/keys").GetProperty("post");
        Assert.Contains("ManageKeys", create.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(create.GetProperty("responses").TryGetProperty("401", out _));
        Assert.True(create.TryGetProperty("security", out _));
        Assert.Equal("bearer", root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("scheme").GetString());
    }

    /// <summary>The OpenAPI document is committed (docs/openapi/v1.json) so every contract change shows in a diff.
    /// After an intended change, regenerate it with WARDEN_UPDATE_OPENAPI=1 ./scripts/test.sh.</summary>
    [Fact]
    public async Task The_committed_openapi_document_matches_the_served_one()
    {
        using var http = _host.Http();
        var served = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!.AsObject();
        served.Remove("servers"); // holds this test server's random port
        var text = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).ReplaceLineEndings("\n") + "\n";
        var path = RepositoryFiles.PathOf("docs", "openapi", "v1.json");
        if (Environment.GetEnvironmentVariable("WARDEN_UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, text);
        }

        Assert.True(File.Exists(path), "docs/openapi/v1.json is missing: run WARDEN_UPDATE_OPENAPI=1 ./scripts/test.sh");
        Assert.True(text == await File.ReadAllTextAsync(path),
            "The API contract changed: review it, then run WARDEN_UPDATE_OPENAPI=1 ./scripts/test.sh and commit docs/openapi/v1.json");
    }

    [Fact]
    public async Task The_interactive_api_reference_is_served()
    {
        using var http = _host.Http();
        using var page = await http.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_are_exposed_in_prometheus_format()
    {
        using var admin = Admin();
        (await admin.GetAsync("/api/v1/me")).Dispose();
        using var content = new StringContent("{\"name\":\"m\",\"roles\":[\"viewer\"]}", Encoding.UTF8, "application/json");
        (await admin.PostAsync("/api/v1/keys", content)).Dispose();
        using var http = _host.Http();
        // The exporter caches a scrape briefly; the second read sees the counters above.
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        string text = "";
        for (var i = 0; i < 20 && !text.Contains("warden_audit_records", StringComparison.Ordinal); i++)
        {
            text = await http.GetStringAsync("/metrics");
            await Task.Delay(100);
        }

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("warden_audit_records", text, StringComparison.Ordinal);
        Assert.Contains("warden_auth_attempts", text, StringComparison.Ordinal);
        Assert.Contains("le=\"0.0005\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_request_id_is_taken_from_the_caller_or_made_and_echoed()
    {
        using var http = _host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("X-Request-Id", "trace-abc.123");
        using var response = await http.SendAsync(request);
        Assert.Equal("trace-abc.123", response.Headers.GetValues("X-Request-Id").Single());
        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("trace-abc.123", problem.GetProperty("requestId").GetString());

        using var bad = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        bad.Headers.Add("X-Request-Id", "has spaces and is not acceptable");
        using var replaced = await http.SendAsync(bad);
        Assert.StartsWith("req_", replaced.Headers.GetValues("X-Request-Id").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\":", "could not be read")]
    [InlineData("{\"name\":\"x\",\"roles\":\"viewer\"}", "$.roles")]
    [InlineData("{\"name\":\"x\",\"roles\":[\"viewer\"],\"colour\":\"red\"}", "colour")]
    [InlineData("{\"roles\":[\"viewer\"]}", "name")]
    [InlineData("{\"name\":null,\"roles\":[\"viewer\"]}", "name")]
    [InlineData("{\"name\":\"x\",\"roles\":[\"viewer\"],\"expiresAt\":\"tomorrow\"}", "expiresAt")]
    public async Task Malformed_bodies_get_400_naming_the_problem(string body, string mentioned)
    {
        using var admin = Admin();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync("/api/v1/keys", content);
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var text = problem.GetProperty("title").GetString() + " " + problem.GetProperty("detail").GetString();
        Assert.Contains(mentioned, text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_wrong_content_type_is_a_client_error()
    {
        using var admin = Admin();
        using var content = new StringContent("name=x", Encoding.UTF8, "text/plain");
        using var response = await admin.PostAsync("/api/v1/keys", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_problem_details()
    {
        using var admin = Admin();
        var huge = "{\"name\":\"" + new string('x', 10_000) + "\",\"roles\":[\"viewer\"]}";
        using var content = new StringContent(huge, Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync("/api/v1/keys", content);
        var problem = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("4096 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_routes_and_bad_query_values_are_problem_details()
    {
        using var admin = Admin();
        using var missing = await admin.GetAsync("/api/v1/nothing-here");
        var problem = await ProblemAsync(missing, HttpStatusCode.NotFound);
        Assert.Contains("/api/v1/nothing-here", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var badPage = await admin.GetAsync("/api/v1/audit?pageSize=100000");
        var pageProblem = await ProblemAsync(badPage, HttpStatusCode.BadRequest);
        Assert.True(pageProblem.GetProperty("errors").TryGetProperty("pageSize", out _));

        using var badDate = await admin.GetAsync("/api/v1/audit?since=yesterday");
        var dateProblem = await ProblemAsync(badDate, HttpStatusCode.BadRequest);
        Assert.Contains("since", dateProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var missingRecord = await admin.GetAsync("/api/v1/audit/999999");
        await ProblemAsync(missingRecord, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Shutdown_waits_for_a_request_in_flight()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await WardenTestHost.StartAsync(configure: b =>
            b.Services.AddSingleton<IStartupFilter>(new SlowEndpoint(entered, release)));
        using var http = host.Http();
        var call = http.GetAsync("/test/slow");
        await entered.Task;

        var stopping = host.App.StopAsync();
        await Task.Delay(500);
        Assert.False(stopping.IsCompleted, "shutdown finished while a request was still in flight");
        release.SetResult();

        using var response = await call;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("finished", await response.Content.ReadAsStringAsync());
        await stopping;
    }

    [Fact]
    public async Task A_body_still_uploading_at_shutdown_is_answered_503_or_completed_never_500()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
        var stream = socket.GetStream();
        var body = Encoding.UTF8.GetBytes("{\"name\":\"during-shutdown\",\"roles\":[\"viewer\"]}");
        var head = $"POST /api/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {host.AdminKey}\r\n" +
                   $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body.AsMemory(0, 10));
        await stream.FlushAsync();
        await Task.Delay(200);

        var stopping = host.App.StopAsync();
        await Task.Delay(100);
        try
        {
            await stream.WriteAsync(body.AsMemory(10));
            await stream.FlushAsync();
        }
        catch (IOException)
        {
            // The server may already have answered and closed; the answer is still in the socket buffer.
        }

        var buffer = new byte[8192];
        var read = await stream.ReadAsync(buffer);
        var response = Encoding.UTF8.GetString(buffer, 0, read);
        await stopping;
        await using var connection = await host.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM api_keys WHERE name = 'during-shutdown'";
        var stored = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        // Either the body's read was cut by shutdown (503, retryable, nothing stored) or it finished first (201, stored). Never a 500.
        if (response.StartsWith("HTTP/1.1 503", StringComparison.Ordinal))
        {
            Assert.Contains("Retry-After: 1", response, StringComparison.Ordinal);
            Assert.Equal(0L, stored);
        }
        else
        {
            Assert.StartsWith("HTTP/1.1 201", response, StringComparison.Ordinal);
            Assert.Equal(1L, stored);
        }
    }

    /// <summary>A test-only endpoint that holds a request open until released.</summary>
    private sealed class SlowEndpoint(TaskCompletionSource entered, TaskCompletionSource release) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path == "/test/slow")
                {
                    entered.SetResult();
                    await release.Task;
                    await context.Response.WriteAsync("finished");
                    return;
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>Defaults that sit under every configuration source.</summary>
public sealed class ConfigurationDefaultsTests
{
    private const string HostingDiagnostics = "Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics";

    [Fact]
    public void Hosting_diagnostics_are_off_by_default_and_any_source_can_turn_them_back_on()
    {
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        var quiet = WardenApp.CreateBuilder([$"--Warden:DataDirectory={data}"]);
        Assert.Equal("None", quiet.Configuration[HostingDiagnostics]);
        Assert.Equal(0, quiet.Configuration.Sources.IndexOf(quiet.Configuration.Sources.OfType<Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource>().First()));

        var loud = WardenApp.CreateBuilder([$"--Warden:DataDirectory={data}", $"--{HostingDiagnostics}=Information"]);
        Assert.Equal("Information", loud.Configuration[HostingDiagnostics]);
    }
}

/// <summary>Which framework meters /metrics exports: a lean default, more by configuration.</summary>
public sealed class MeterSelectionTests
{
    private static async Task<string> ScrapeAfterAuthorizedCallsAsync(WardenTestHost host)
    {
        using var team = await Team.CreateAsync(host);
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);
        string text = "";
        for (var i = 0; i < 20 && !text.Contains("warden_auth_attempts", StringComparison.Ordinal); i++)
        {
            (await http.GetAsync("/api/v1/models")).Dispose();
            await Task.Delay(100);
            text = await http.GetStringAsync("/metrics");
        }

        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
        return text;
    }

    [Fact]
    public async Task Per_request_framework_meters_beyond_hosting_are_off_by_default_and_configuration_adds_them()
    {
        await using (var lean = await WardenTestHost.StartAsync())
        {
            var text = await ScrapeAfterAuthorizedCallsAsync(lean);
            Assert.DoesNotContain("aspnetcore_authorization", text, StringComparison.Ordinal);
            Assert.DoesNotContain("aspnetcore_routing", text, StringComparison.Ordinal);
            Assert.Contains("kestrel_", text, StringComparison.Ordinal);
        }

        await using var full = await WardenTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            [$"{Warden.Server.Platform.Telemetry.ExtraMetersKey}:0"] = "Microsoft.AspNetCore.Authorization",
            [$"{Warden.Server.Platform.Telemetry.ExtraMetersKey}:1"] = "Microsoft.AspNetCore.Routing",
        });
        var all = await ScrapeAfterAuthorizedCallsAsync(full);
        Assert.Contains("aspnetcore_authorization_attempts", all, StringComparison.Ordinal);
        Assert.Contains("aspnetcore_routing_match_attempts", all, StringComparison.Ordinal);
    }
}

public sealed class TimeOrderedIdTests
{
    [Fact]
    public void An_id_is_a_version_7_uuid_whose_first_48_bits_are_the_given_milliseconds()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_123);
        var id = Platform.TimeOrderedId.NewHex(at);

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
        Assert.Equal('7', id[12]); // version nibble
        Assert.Contains(id[16], "89ab"); // RFC 9562 variant 10xx
        // The framework reads it back as the same version 7 UUID, with the same text.
        var parsed = Guid.ParseExact(id, "N");
        Assert.Equal(7, parsed.Version);
        Assert.Equal(id, parsed.ToString("N"));
    }

    [Fact]
    public async Task Ids_are_unique_across_threads_and_sort_by_time()
    {
        // Four threads each take many blocks of random bytes' worth of ids at the same millisecond: only the random part differs.
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000);
        var batches = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 25_000).Select(_ => Platform.TimeOrderedId.NewHex(at)).ToList())));
        var all = batches.SelectMany(b => b).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());

        var earlier = Platform.TimeOrderedId.NewHex(at);
        var later = Platform.TimeOrderedId.NewHex(at.AddMilliseconds(1));
        Assert.True(string.CompareOrdinal(earlier, later) < 0);
        Assert.StartsWith("req_", Platform.RequestIdMiddleware.NewId());
        Assert.Equal(36, Platform.RequestIdMiddleware.NewId().Length);
    }
}
