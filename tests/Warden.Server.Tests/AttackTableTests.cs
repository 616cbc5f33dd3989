using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The attack table of docs/security.md: each row is a test here or names the test that covers it.</summary>
public sealed class AttackTableTests
{
    private static readonly string[] Injections =
    [
        "'; DROP TABLE models; --", "\" OR 1=1 --", "x' UNION SELECT secret_hash FROM api_keys --", "%' OR '%'='", "\\'; DELETE FROM audit_log; --",
    ];

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Sql_injection_strings_in_every_text_field_are_stored_as_text(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        foreach (var (payload, i) in Injections.Select((p, i) => (p, i)))
        {
            await team.Developer.CreateModelAsync(new CreateModelRequest($"model-{i}", payload, 2, payload, payload,
                SensitiveAttributes: [new SensitiveAttribute(payload)]));
            Assert.Equal(0, (await team.Validator.SearchModelsAsync(new ModelQuery { Search = payload + "zz" })).Total);
            Assert.Equal(1, (await team.Validator.SearchModelsAsync(new ModelQuery { Search = payload })).Total); // only its own model: wildcards are escaped
            Assert.Equal(payload, (await team.Validator.SearchModelsAsync(new ModelQuery { Owner = payload })).Items.Single().Owner);
            await Assert.ThrowsAsync<WardenApiException>(() => team.Validator.GetModelAsync(payload));
            await team.Admin.ListAuditAsync(new AuditQuery { Actor = payload, Action = payload, Target = payload });
            await Assert.ThrowsAsync<WardenApiException>(() => team.Admin.CreateKeyAsync(new CreateApiKeyRequest(payload, [payload])));
        }

        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(Injections.Length, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM models"));
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log") > 0);
        Assert.True((await team.Admin.VerifyAuditAsync()).Intact);
    }

    [Theory]
    [InlineData("/api/v1/models/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/v1/models/..%2F..%2Fkeys/versions/1/artifact")]
    [InlineData("/api/v1/models/%2E%2E/versions/1/card.md")]
    public async Task Path_traversal_in_names_reaches_no_file(string path)
    {
        await using var host = await WardenTestHost.StartAsync();
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminKey);
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var admin = host.Client();
        var traversal = await Assert.ThrowsAsync<WardenApiException>(() => admin.CreateModelAsync(new CreateModelRequest("../../etc", "x", 1)));
        Assert.Equal(HttpStatusCode.BadRequest, traversal.Status);
    }

    [Fact]
    public async Task Deeply_nested_json_is_a_400_not_a_crash()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminKey);
        var nested = "{\"name\":\"x\",\"roles\":" + new string('[', 5000) + new string(']', 5000) + "}";
        using var content = new StringContent(nested, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/v1/keys", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("$.roles", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_injection_in_the_request_id_is_not_echoed()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
        var stream = socket.GetStream();
        // A bare LF inside a header value (the CR is stripped by Kestrel or rejected): either refused, or replaced.
        var request = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\tSet-Cookie: owned=1\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        var response = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.DoesNotContain("Set-Cookie: owned", response, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("X-Request-Id: req_[0-9a-f]{32}", response);
    }

    [Fact]
    public async Task User_text_never_reaches_the_log_raw()
    {
        var sink = new CapturingLoggerProvider();
        await using var host = await WardenTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Debug" },
            configure: b => b.Logging.AddProvider(sink));
        using var admin = host.Client();
        const string marker = "INJECTED-LOG-LINE";
        await admin.CreateKeyAsync(new CreateApiKeyRequest($"evil\n{marker} admin logged in", [Roles.Viewer]));
        await admin.CreateModelAsync(new CreateModelRequest("evil-model", $"owner\r\n{marker}", 3, $"desc\n{marker}"));
        await Assert.ThrowsAsync<WardenApiException>(() => admin.CreateModelAsync(new CreateModelRequest($"bad\n{marker}", "x", 1)));
        Assert.NotEmpty(sink.Messages);
        Assert.DoesNotContain(sink.Messages, m => m.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_retry_after()
    {
        await using var host = await WardenTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Warden:RateLimit:PerKeyPerSecond"] = "1",
            ["Warden:RateLimit:PerKeyBurst"] = "5",
        });
        var other = await host.CreateKeyAsync(Roles.Viewer);
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // let the admin's bucket refill after creating the key
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminKey);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 12; i++)
        {
            var response = await http.GetAsync("/api/v1/me");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited ??= response;
            }
        }

        Assert.True(statuses.Take(4).All(s => s == HttpStatusCode.OK), string.Join(",", statuses));
        Assert.NotNull(limited);
        Assert.True(limited!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        using var health = await http.GetAsync("/health/ready"); // probes are never limited
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // Another key has its own bucket.
        using var otherClient = host.Client(other);
        Assert.Equal(Roles.Viewer, (await otherClient.WhoAmIAsync()).Roles.Single());
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentBag<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Add(formatter(state, exception) + exception);
        }
    }
}

/// <summary>Attack table rows that need a served model.</summary>
public sealed class ServingAttackTests
{
    [Fact]
    public async Task An_oversized_prediction_batch_is_refused_with_400()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);
        var record = new Dictionary<string, object> { ["Duration"] = 1 };
        using var response = await http.PostAsync("/api/v1/predict/credit-risk",
            new StringContent(System.Text.Json.JsonSerializer.Serialize(new { records = Enumerable.Repeat(record, 1001) }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("between 1 and 1000 records", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
