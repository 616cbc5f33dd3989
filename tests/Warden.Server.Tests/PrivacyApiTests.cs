using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Privacy;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The PII tools over HTTP, the managed keys behind pseudonyms and encryption, masking of audit details, and the
/// field policy that later stores prediction payloads.</summary>
public sealed class PrivacyApiTests
{
    private const string Card = "4111 1111 1111 1111";
    private const string Email = "jane.doe@example.com";
    private const string Iban = "DE89 3704 0044 0532 0130 00";
    private static readonly string Text = $"Refund to card {Card}, contact {Email}, IBAN {Iban}.";

    [Fact]
    public async Task Analyze_finds_card_email_and_iban_with_utf16_spans()
    {
        await using var host = await WardenTestHost.StartAsync();
        var viewerKey = await host.CreateKeyAsync(Roles.Viewer);
        using var viewer = host.Client(viewerKey);
        var result = await viewer.AnalyzePiiAsync(new PiiAnalyzeRequest(Text));
        var found = result.Entities.ToDictionary(e => e.EntityType, e => Text[e.Start..e.End]);
        Assert.Equal(Card, found["CREDIT_CARD"]);
        Assert.Equal(Email, found["EMAIL_ADDRESS"]);
        Assert.Equal(Iban, found["IBAN_CODE"]);
        Assert.All(result.Entities.Where(e => e.EntityType is "CREDIT_CARD" or "IBAN_CODE"), e => Assert.Equal(1.0, e.Score));
        var onlyEmail = await viewer.AnalyzePiiAsync(new PiiAnalyzeRequest(Text, ["EMAIL_ADDRESS"]));
        Assert.Equal("EMAIL_ADDRESS", Assert.Single(onlyEmail.Entities).EntityType);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Anonymize_with_managed_keys_and_reverse_only_as_a_privacy_officer(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var admin = host.Client();
        var officer = host.Client((await admin.CreateKeyAsync(new CreateApiKeyRequest("dpo", [Roles.PrivacyOfficer]))).Secret);
        var developer = host.Client(await host.CreateKeyAsync(Roles.Developer));
        var request = new PiiAnonymizeRequest(Text, new PiiOperatorSpec("replace"), new Dictionary<string, PiiOperatorSpec>
        {
            ["CREDIT_CARD"] = new("mask", KeepLast: 4), ["EMAIL_ADDRESS"] = new("pseudonymize"), ["IBAN_CODE"] = new("encrypt"),
        });
        var first = await developer.AnonymizePiiAsync(request);
        var second = await developer.AnonymizePiiAsync(request);
        Assert.DoesNotContain(Email, first.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("3704 0044", first.Text, StringComparison.Ordinal);
        Assert.Contains("1111", first.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("4111 1111", first.Text, StringComparison.Ordinal);
        Assert.Equal(Pseudonym(first.Text), Pseudonym(second.Text)); // stable: records still join
        Assert.Equal(["mask", "pseudonymize", "encrypt"], first.Items.OrderBy(i => i.Start).Select(i => i.Operator));

        var denied = await Assert.ThrowsAsync<WardenApiException>(() => developer.DeanonymizePiiAsync(first.Text));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        var reversed = await officer.DeanonymizePiiAsync(first.Text);
        Assert.Contains(Iban, reversed.Text, StringComparison.Ordinal);
        Assert.Equal(1, reversed.TokensDecrypted);
        var token = first.Text[first.Text.IndexOf("<ENC:", StringComparison.Ordinal)..];
        var tampered = first.Text.Replace(token[10..14], "AAAA", StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<WardenApiException>(() => officer.DeanonymizePiiAsync(tampered));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);

        var audit = (await admin.ListAuditAsync(new AuditQuery { Action = "pii.deanonymize" })).Items;
        Assert.Contains(audit, r => r.Outcome == AuditOutcome.Success && r.ActorName == "dpo");
        Assert.All(audit, r => Assert.DoesNotContain("3704", r.Details, StringComparison.Ordinal));

        var badOperator = await Assert.ThrowsAsync<WardenApiException>(() => developer.AnonymizePiiAsync(new PiiAnonymizeRequest("x", new PiiOperatorSpec("shred"))));
        Assert.Contains("'shred' is not an operator", badOperator.Detail, StringComparison.Ordinal);
        officer.Dispose();
        developer.Dispose();
    }

    private static string Pseudonym(string text) => System.Text.RegularExpressions.Regex.Match(text, "<EMAIL_ADDRESS_[^>]+>").Value;

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Personal_data_in_audit_details_is_masked_before_it_is_chained(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        await team.Developer.CreateModelAsync(new CreateModelRequest("scorer", "team", 2));
        await team.Developer.UploadVersionAsync("scorer", GermanCredit.OnnxModel, "m.onnx");
        await team.Developer.SubmitVersionAsync("scorer", 1, $"customer {Email} asked for it, card {Card}");
        await team.Validator.RejectVersionAsync("scorer", 1, $"refund to {Iban} missing");

        await using var connection = await host.Database.OpenAsync();
        var raw = string.Join('\n', await connection.QueryAsync<string>("SELECT details FROM audit_log"));
        foreach (var secret in new[] { Email, Card, Iban })
        {
            Assert.DoesNotContain(secret, raw, StringComparison.Ordinal);
        }

        Assert.Contains("<EMAIL_ADDRESS>", raw, StringComparison.Ordinal);
        Assert.Contains("<CREDIT_CARD>", raw, StringComparison.Ordinal);
        Assert.True((await team.Admin.VerifyAuditAsync()).Intact);
    }

    [Fact]
    public async Task The_field_policy_keeps_public_values_and_never_stores_personal_ones_raw()
    {
        await using var host = await WardenTestHost.StartAsync();
        var privacy = host.App.Services.GetRequiredService<PrivacyService>();
        var signature = new ModelSignature("onnx", [], [],
        [
            new FeatureSpec("amount", FeatureKinds.Numeric, "float32"), new FeatureSpec("email", FeatureKinds.Categorical, "string"),
            new FeatureSpec("iban", FeatureKinds.Categorical, "string"), new FeatureSpec("note", FeatureKinds.Text, "string"),
            new FeatureSpec("segment", FeatureKinds.Categorical, "string"),
        ]);
        IReadOnlyList<FeatureClassification> classes =
        [
            new("amount", "public"), new("email", "personal", "contact"), new("iban", "sensitive", "payout"), new("note", "public"), new("segment", "public"),
        ];
        var payload = new Dictionary<string, object?>
        {
            ["amount"] = 120.5, ["email"] = Email, ["iban"] = Iban, ["note"] = $"paid with {Card}", ["segment"] = "retail", ["unexpected"] = "john@x.org",
        };
        var stored = await privacy.ApplyFieldPolicyAsync(payload, signature, classes, "model:test");
        var again = await privacy.ApplyFieldPolicyAsync(payload, signature, classes, "model:test");
        Assert.Equal(120.5, stored["amount"]);
        Assert.Equal("retail", stored["segment"]);
        Assert.DoesNotContain(Email, (string)stored["email"]!, StringComparison.Ordinal);
        Assert.Equal(stored["email"], again["email"]);
        Assert.DoesNotContain("3704", (string)stored["iban"]!, StringComparison.Ordinal);
        Assert.Equal("paid with <CREDIT_CARD>", stored["note"]);
        Assert.DoesNotContain("john@x.org", (string)stored["unexpected"]!, StringComparison.Ordinal); // unknown fields default to personal
    }
}

/// <summary>Classified log parameters pass through the compliance redactors before any sink.</summary>
public sealed class LogRedactionTests
{
    [Fact]
    public async Task A_personal_value_in_a_log_call_reaches_the_sink_redacted()
    {
        var sink = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var host = await WardenTestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" },
            configure: b => b.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new CollectingProvider(sink)));
        using var admin = host.Client();
        await admin.CreateKeyAsync(new CreateApiKeyRequest("ci", [Roles.Viewer], null, "dana.person@bank.example"));
        var line = Assert.Single(sink, l => l.StartsWith("Created API key", StringComparison.Ordinal));
        Assert.Contains("[redacted:personal]", line, StringComparison.Ordinal);
        Assert.DoesNotContain(sink, l => l.Contains("dana.person@bank.example", StringComparison.Ordinal));
    }

    private sealed class CollectingProvider(System.Collections.Concurrent.ConcurrentBag<string> sink) : Microsoft.Extensions.Logging.ILoggerProvider
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(sink);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentBag<string> sink) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                var text = formatter(state, exception);
                if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    text += " | " + string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"));
                }

                sink.Add(text);
            }
        }
    }
}

/// <summary>Organisation-specific recognizers come from configuration.</summary>
public sealed class CustomRecognizerConfigurationTests
{
    [Fact]
    public async Task A_custom_recognizer_from_configuration_is_used_by_the_api()
    {
        await using var host = await WardenTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Warden:Privacy:CustomRecognizers:0:EntityType"] = "EMPLOYEE_ID",
            ["Warden:Privacy:CustomRecognizers:0:Pattern"] = "EMP-[0-9]{6}",
            ["Warden:Privacy:CustomRecognizers:0:ContextWords:0"] = "employee",
            ["Warden:Privacy:CustomRecognizers:0:BaseScore"] = "0.6",
            ["Warden:Privacy:CustomRecognizers:1:EntityType"] = "LOYALTY_CARD",
            ["Warden:Privacy:CustomRecognizers:1:Pattern"] = "[0-9]{16}",
            ["Warden:Privacy:CustomRecognizers:1:Checksum"] = "luhn",
        });
        using var client = host.Client();
        var result = await client.AnalyzePiiAsync(new PiiAnalyzeRequest("employee EMP-004211 used loyalty card 4539578763621486 and 4539578763621487"));
        Assert.Contains(result.Entities, e => e.EntityType == "EMPLOYEE_ID");
        var cards = result.Entities.Where(e => e.EntityType is "LOYALTY_CARD" or "CREDIT_CARD").ToList();
        Assert.Contains(cards, e => e.EntityType == "LOYALTY_CARD");
        Assert.All(cards, e => Assert.Equal(38, e.Start)); // the Luhn-invalid number (at 59) is dropped by both recognizers
    }
}
