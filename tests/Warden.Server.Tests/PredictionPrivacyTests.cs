using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Serving;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>A prediction carrying a card number, an e-mail and an IBAN is answered, and Warden keeps only masked or
/// pseudonymised forms: the raw database, every file in the data folder and the log sink are searched for the values.</summary>
public sealed class PredictionPrivacyTests
{
    private const string Card = "4111 1111 1111 1111";
    private const string Email = "jane.doe@example.com";
    private const string Iban = "DE89 3704 0044 0532 0130 00";

    private static Dictionary<string, object> Record(string purpose, string history, string housing) => new()
    {
        ["Duration"] = 24, ["Amount"] = 3500, ["InstallmentRatePercentage"] = 3, ["ResidenceDuration"] = 2, ["Age"] = 41,
        ["NumberExistingCredits"] = 1, ["NumberPeopleMaintenance"] = 1, ["Telephone"] = 1, ["ForeignWorker"] = 1,
        ["CheckingAccountStatus"] = "0.to.200", ["CreditHistory"] = history, ["Purpose"] = purpose, ["SavingsAccountBonds"] = "lt.100",
        ["EmploymentDuration"] = "1.to.4", ["Personal"] = "Female.NotSingle", ["Housing"] = housing,
    };

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Personal_values_in_a_prediction_are_never_stored_or_logged_in_clear(string engine)
    {
        var logs = new ConcurrentBag<string>();
        await using var host = await WardenTestHost.StartAsync(engine,
            settings: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Debug" },
            configure: b => b.Services.AddSingleton<ILoggerProvider>(new SinkProvider(logs)));
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");

        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);
        using var response = await http.PostAsJsonAsync("/api/v1/predict/credit-risk", new { records = new[] { Record(Card, Iban, Email), Record("NewCar", "PaidDuly", "Own") } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<PredictionResponse>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
        Assert.Equal((1, "champion", 2), (answer.Version, answer.Alias, answer.Predictions.Count));
        Assert.All(answer.Predictions, p => Assert.InRange(p.Probability!.Value, 0, 1));

        var events = host.App.Services.GetRequiredService<EventLog>();
        await events.FlushAsync();
        var stored = new List<PredictionEvent>();
        await foreach (var e in events.ReadAllAsync())
        {
            stored.Add(e);
        }

        Assert.Equal(2, stored.Count);
        Assert.All(stored, e => Assert.Equal(("credit-risk", 1, answer.RequestId), (e.Model, e.Version, e.RequestId)));
        var relaxed = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var eventText = string.Join("\n", stored.Select(e => JsonSerializer.Serialize(e, relaxed)));
        Assert.Contains("<PURPOSE_", eventText, StringComparison.Ordinal); // unclassified features default to personal: pseudonymised
        var onDisk = await File.ReadAllBytesAsync(Directory.GetFiles(events.Directory).Single());
        Assert.Equal(-1, onDisk.AsSpan().IndexOf("credit-risk"u8)); // segments are encrypted at rest

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var everything = new StringBuilder(eventText);
        foreach (var file in Directory.EnumerateFiles(host.DataDirectory, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            everything.Append(await reader.ReadToEndAsync());
        }

        if (engine == "postgresql")
        {
            await using var connection = await host.Database.OpenAsync();
            foreach (var table in new[] { "audit_log", "model_versions", "validation_runs", "data_keys", "api_keys" })
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT CAST(t AS TEXT) FROM {table} t";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    everything.Append(reader.GetString(0));
                }
            }
        }

        var haystack = everything.ToString();
        var logText = string.Join('\n', logs);
        foreach (var secret in new[] { Card, Email, Iban, Card.Replace(" ", "", StringComparison.Ordinal), Iban.Replace(" ", "", StringComparison.Ordinal) })
        {
            Assert.DoesNotContain(secret, haystack, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_records_get_400_naming_the_field_and_unserved_models_get_404()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);

        async Task<(HttpStatusCode Status, string Body)> PostAsync(string model, object body)
        {
            using var r = await http.PostAsJsonAsync($"/api/v1/predict/{model}", body);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        var single = Record("NewCar", "PaidDuly", "Own");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("credit-risk", single)).Status);
        var auditBefore = (await team.Admin.VerifyAuditAsync()).RecordsChecked;
        var wrongKind = new Dictionary<string, object>(single) { ["Age"] = "forty" };
        var r1 = await PostAsync("credit-risk", wrongKind);
        Assert.Equal(HttpStatusCode.BadRequest, r1.Status);
        Assert.Contains("records[0].Age", r1.Body, StringComparison.Ordinal);
        var missing = new Dictionary<string, object>(single);
        missing.Remove("Housing");
        Assert.Contains("records[0].Housing", (await PostAsync("credit-risk", new { records = new[] { single, missing } })).Body.Replace("records[1]", "records[0]", StringComparison.Ordinal), StringComparison.Ordinal);
        var unknown = new Dictionary<string, object>(single) { ["Salary"] = 1 };
        Assert.Contains("Salary", (await PostAsync("credit-risk", unknown)).Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("credit-risk", new { records = Array.Empty<object>() })).Status);

        Assert.Equal(auditBefore, (await team.Admin.VerifyAuditAsync()).RecordsChecked); // predictions change nothing: refusals are not audited
        await team.Developer.CreateModelAsync(new CreateModelRequest("draft-only", "team", 3));
        await team.Developer.UploadVersionAsync("draft-only", GermanCredit.OnnxModel, "m.onnx");
        var unserved = await PostAsync("draft-only", single);
        Assert.Equal(HttpStatusCode.NotFound, unserved.Status);
        Assert.Contains("approved version", unserved.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("credit-risk?alias=challenger", single)).Status);

        using var viewer = host.Http();
        viewer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await host.CreateKeyAsync(Roles.Viewer));
        using var forbidden = await viewer.PostAsJsonAsync("/api/v1/predict/credit-risk", single);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    private sealed class SinkProvider(ConcurrentBag<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(sink);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentBag<string> sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Add(formatter(state, exception) + exception);
        }
    }
}

/// <summary>Crypto-shredding end to end: predictions stored for a data subject become unreadable once the subject is erased.</summary>
public sealed class SubjectErasureTests
{
    [Fact]
    public async Task Erasing_a_subject_makes_their_stored_prediction_inputs_unreadable()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);
        var record = new Dictionary<string, object>
        {
            ["Duration"] = 12, ["Amount"] = 1000, ["InstallmentRatePercentage"] = 2, ["ResidenceDuration"] = 2, ["Age"] = 30, ["NumberExistingCredits"] = 1,
            ["NumberPeopleMaintenance"] = 1, ["Telephone"] = 0, ["ForeignWorker"] = 1, ["CheckingAccountStatus"] = "none", ["CreditHistory"] = "PaidDuly",
            ["Purpose"] = "NewCar", ["SavingsAccountBonds"] = "lt.100", ["EmploymentDuration"] = "1.to.4", ["Personal"] = "Male.Single", ["Housing"] = "Own",
        };
        (await http.PostAsJsonAsync("/api/v1/predict/credit-risk", new { records = new[] { record }, subjectId = "customer-7" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/predict/credit-risk", new { records = new[] { record }, subjectId = "customer-8" })).EnsureSuccessStatusCode();
        var events = host.App.Services.GetRequiredService<EventLog>();
        var vault = host.App.Services.GetRequiredService<Warden.Server.Security.SubjectVault>();
        await events.FlushAsync();

        async Task<List<PredictionEvent>> ReadAsync()
        {
            var list = new List<PredictionEvent>();
            await foreach (var e in events.ReadAllAsync())
            {
                list.Add(e);
            }

            return list;
        }

        var stored = await ReadAsync();
        var seven = stored.Single(e => e.Subject == Warden.Server.Security.SubjectVault.SubjectDigest("customer-7"));
        Assert.Empty(seven.Inputs);
        var opened = await vault.OpenAsync("customer-7", seven.EventId, Convert.FromBase64String(seven.SealedInputs!));
        Assert.Contains("Duration", System.Text.Encoding.UTF8.GetString(opened), StringComparison.Ordinal);

        using var officer = host.Client((await team.Admin.CreateKeyAsync(new CreateApiKeyRequest("dpo", [Roles.PrivacyOfficer]))).Secret);
        Assert.True((await officer.EraseSubjectAsync("customer-7", "erasure request")).KeyDestroyed);
        await Assert.ThrowsAsync<Warden.Server.Security.KeyDestroyedException>(() =>
            vault.OpenAsync("customer-7", seven.EventId, Convert.FromBase64String(seven.SealedInputs!)));
        var eight = (await ReadAsync()).Single(e => e.Subject == Warden.Server.Security.SubjectVault.SubjectDigest("customer-8"));
        Assert.NotEmpty(await vault.OpenAsync("customer-8", eight.EventId, Convert.FromBase64String(eight.SealedInputs!)));
    }
}
