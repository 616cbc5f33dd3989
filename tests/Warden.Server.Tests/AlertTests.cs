using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Alert rules end to end on the German credit model: shifted Age and Amount raise a drift alert that names them
/// first, a candidate biased on Personal raises a fairness alert, webhooks get signed notifications (retried after a
/// failure), alerts are acknowledged and resolve by themselves; a performance alert with the rollback action restores the
/// previous version (audited), and canary-zero takes a canary out of traffic.</summary>
public sealed class AlertTests
{
    private const string Secret = "a-webhook-secret-of-some-length";

    private static List<IngestEvent> Traffic(string prefix, Func<string, double, double> shift, Func<IReadOnlyDictionary<string, object?>, double> score) =>
        DriftTests.Records(shift).Select((r, i) => new IngestEvent("prediction", EventId: $"{prefix}-{i}", Model: "credit-risk", Version: 1, RequestId: $"{prefix}-{i}",
            Prediction: score(r), Inputs: r.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value)))).ToList();

    [Fact]
    public async Task Drift_and_fairness_alerts_fire_with_their_root_cause_notify_a_signed_webhook_and_resolve()
    {
        using var receiver = new WebhookReceiver(failFirst: 1);
        await using var host = await WardenTestHost.StartAsync(fakeClock: true, settings: new Dictionary<string, string?>
        {
            ["Warden:Alerts:Webhooks:ops:Url"] = receiver.Url,
            ["Warden:Alerts:Webhooks:ops:Secret"] = Secret,
            ["Warden:Alerts:RetryBaseDelay"] = "00:00:00.050",
            ["Warden:Alerts:EvaluationInterval"] = "1.00:00:00",
        });
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        await team.Developer.SetReferenceAsync("credit-risk", 1, Encoding.UTF8.GetBytes(training));
        var drift = await team.Operator.CreateAlertRuleAsync(new AlertRuleRequest("credit-risk", "drift.score", ">", 1, Webhook: "ops", Name: "feature drift"));
        var fairness = await team.Operator.CreateAlertRuleAsync(new AlertRuleRequest("credit-risk", "fairness.disparate_impact", "<", 0.8, Feature: "Personal",
            MinimumSample: 100));

        // A calm, fair hour: nothing fires.
        await team.Developer.IngestEventsAsync(Traffic("calm", (_, v) => v, _ => 0.7));
        var quiet = await team.Operator.EvaluateAlertsAsync();
        Assert.Equal(2, quiet.RulesEvaluated);
        Assert.Empty(quiet.Fired);

        // The next hour: an older, richer population, and a candidate that approves women far less often.
        host.Clock!.Advance(TimeSpan.FromHours(1));
        await team.Developer.IngestEventsAsync(Traffic("shifted", (c, v) => c == "Age" ? v + 25 : c == "Amount" ? v * 3 : v,
            r => (string?)r["Personal"] == "Female.NotSingle" ? 0.2 : 0.7));
        var fired = await team.Operator.EvaluateAlertsAsync();
        Assert.Equal(2, fired.Fired.Count);
        var driftAlert = fired.Fired.Single(a => a.RuleId == drift.Id);
        Assert.Equal("firing", driftAlert.State);
        Assert.Contains(driftAlert.Feature, new[] { "Age", "Amount" });
        Assert.Equal(["Age", "Amount"], driftAlert.RootCause.Take(2).Select(r => r.Name).Order());
        var fairnessAlert = fired.Fired.Single(a => a.RuleId == fairness.Id);
        Assert.Equal("Personal", fairnessAlert.Feature);
        Assert.True(fairnessAlert.Value < 0.8, $"disparate impact {fairnessAlert.Value}");
        var timeline = await team.Validator.GetFairnessAsync("credit-risk", 1);
        var personal = timeline.Windows[^1].Attributes.Single(a => a.Attribute == "Personal");
        Assert.True(personal.FailsFourFifthsRule);
        Assert.Equal(0, personal.Groups.Single(g => g.Group == "Female.NotSingle").SelectionRate);
        Assert.Equal(0, personal.DisparateImpact);
        Assert.False(personal.Groups.Single(g => g.Group == "Male.Divorced.Seperated").Judged); // 16 rows: reported, not judged

        // The webhook got the drift alert, signed, on the second attempt (the first was refused with 503).
        var delivered = await receiver.WaitForAsync(1);
        Assert.Equal("alert.fired", delivered[0].Event);
        Assert.Equal("2", delivered[0].Attempt);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(delivered[0].Timestamp + "." + delivered[0].Body)));
        Assert.Equal("sha256=" + expected, delivered[0].Signature);
        Assert.Contains(driftAlert.Id, delivered[0].Body, StringComparison.Ordinal);

        // Someone acknowledges the drift alert; a second evaluation does not fire it again.
        var acknowledged = await team.Operator.AcknowledgeAlertAsync(driftAlert.Id);
        Assert.Equal("acknowledged", acknowledged.State);
        Assert.NotNull(acknowledged.AcknowledgedBy);
        Assert.Empty((await team.Operator.EvaluateAlertsAsync()).Fired);
        var again = await Assert.ThrowsAsync<WardenApiException>(() => team.Operator.AcknowledgeAlertAsync(driftAlert.Id));
        Assert.Equal(HttpStatusCode.Conflict, again.Status);

        // A calm, fair hour later both resolve by themselves.
        host.Clock.Advance(TimeSpan.FromHours(1));
        await team.Developer.IngestEventsAsync(Traffic("calm-again", (_, v) => v, _ => 0.7));
        var resolved = await team.Operator.EvaluateAlertsAsync();
        Assert.Equal(new[] { driftAlert.Id, fairnessAlert.Id }.Order(StringComparer.Ordinal), resolved.Resolved.Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await team.Validator.ListAlertsAsync(state: "open"));
        Assert.Equal(2, (await team.Validator.ListAlertsAsync(state: "resolved")).Count);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_performance_alert_with_the_rollback_action_restores_the_previous_version_audited(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        var numeric = GermanCredit.NumericPublic;
        await RegistryScenario.ApprovedAsync(team, "credit", GermanCredit.OnnxModel, "v1.onnx", numeric);
        await RegistryScenario.ApprovedAsync(team, "credit", File.ReadAllBytes(GermanCredit.Fixture("german_credit_logreg_v2.onnx")), "v2.onnx", numeric);
        var rule = await team.Operator.CreateAlertRuleAsync(new AlertRuleRequest("credit", "performance.accuracy", "<", 0.7, MinimumSample: 50, Action: "rollback"));
        Assert.Equal("champion", rule.Alias);

        // v2 serves; the outcomes contradict most of its predictions.
        var records = DriftTests.Records((_, v) => v).Take(80).ToList();
        var feedback = new List<IngestEvent>();
        foreach (var (record, i) in records.Select((r, i) => (r, i)))
        {
            var response = await team.Developer.PredictAsync("credit", [GermanCredit.NumericColumns.ToDictionary(c => c, c => record[c])], unitId: $"applicant-{i}");
            Assert.Equal(2, response.Version);
            var predicted = response.Predictions[0].Probability >= 0.5 ? 1 : 0;
            feedback.Add(new IngestEvent("feedback", RequestId: response.RequestId, Label: i % 5 == 0 ? predicted : 1 - predicted));
        }

        Assert.Empty((await team.Operator.EvaluateAlertsAsync()).Fired); // no labels yet: not judged
        await team.Developer.IngestEventsAsync(feedback);
        var evaluation = await team.Operator.EvaluateAlertsAsync();
        var alert = Assert.Single(evaluation.Fired);
        Assert.Equal(2, alert.Version);
        Assert.Equal(0.2, alert.Value, 9);
        Assert.StartsWith("rolled back", alert.ActionResult, StringComparison.Ordinal);

        var after = await team.Developer.PredictAsync("credit", [GermanCredit.NumericColumns.ToDictionary(c => c, c => records[0][c])]);
        Assert.Equal(1, after.Version);
        var history = await team.Validator.GetModelHistoryAsync("credit", "champion");
        Assert.Contains(alert.Id, history.AliasEvents[^1].Reason, StringComparison.Ordinal);
        var audit = await team.Admin.ListAuditAsync(new AuditQuery { Action = "alerts.action" });
        Assert.Contains(audit.Items, r => r.Target == $"alert:{alert.Id}" && r.ActorName == "warden-alerts");
        var rollbacks = await team.Admin.ListAuditAsync(new AuditQuery { Action = "aliases.rollback" });
        Assert.Contains(rollbacks.Items, r => r.ActorName == "warden-alerts");
    }

    [Fact]
    public async Task Canary_zero_takes_the_canary_out_of_traffic_and_bad_rules_are_refused()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        var numeric = GermanCredit.NumericPublic;
        await RegistryScenario.ApprovedAsync(team, "credit", GermanCredit.OnnxModel, "v1.onnx", numeric);
        await RegistryScenario.ApprovedAsync(team, "credit", File.ReadAllBytes(GermanCredit.Fixture("german_credit_logreg_v2.onnx")), "v2.onnx", numeric, "challenger");
        await team.Operator.SetTrafficAsync("credit", new TrafficPolicy([new TrafficRoute("champion", 50), new TrafficRoute("challenger", 50)]));
        await team.Operator.CreateAlertRuleAsync(new AlertRuleRequest("credit", "volume.predictions", ">=", 1, Alias: "challenger", MinimumSample: 1, Action: "canary-zero"));
        var record = GermanCredit.NumericColumns.ToDictionary(c => c, c => (object?)(c == "Age" ? 35.0 : 2.0));
        for (var i = 0; i < 40; i++)
        {
            await team.Developer.PredictAsync("credit", [record], unitId: $"u{i}");
        }

        var alert = Assert.Single((await team.Operator.EvaluateAlertsAsync()).Fired);
        Assert.Equal("canary weight of challenger set to 0", alert.ActionResult);
        var policy = await team.Validator.GetTrafficAsync("credit");
        Assert.Equal(0, policy.Routes.Single(r => r.Alias == "challenger").Weight);

        var bad = await Assert.ThrowsAsync<WardenApiException>(() => team.Operator.CreateAlertRuleAsync(new AlertRuleRequest("credit", "drift.vibes", "~", double.NaN,
            Action: "explode", Webhook: "nowhere")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal(["action", "comparison", "metric", "threshold", "webhook"], bad.Errors!.Keys.Order(StringComparer.Ordinal));
        var unknown = await Assert.ThrowsAsync<WardenApiException>(() => team.Operator.CreateAlertRuleAsync(new AlertRuleRequest("nope", "drift.share", ">", 0.5)));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        var missing = await Assert.ThrowsAsync<WardenApiException>(() => team.Operator.AcknowledgeAlertAsync("alert_missing"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }

    /// <summary>A webhook receiver on a loopback port: records every delivery; refuses the first <c>failFirst</c> with 503.</summary>
    private sealed class WebhookReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<Delivery> _received = new();
        private int _remainingFailures;

        public sealed record Delivery(string Event, string Attempt, string Timestamp, string Signature, string Body);

        public WebhookReceiver(int failFirst)
        {
            _remainingFailures = failFirst;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/hooks/";
            }

            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public async Task<List<Delivery>> WaitForAsync(int count)
        {
            for (var i = 0; i < 200 && _received.Count < count; i++)
            {
                await Task.Delay(50);
            }

            Assert.True(_received.Count >= count, $"{_received.Count} deliveries, expected {count}");
            return [.. _received];
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                if (Interlocked.Decrement(ref _remainingFailures) >= 0)
                {
                    context.Response.StatusCode = 503;
                }
                else
                {
                    _received.Enqueue(new Delivery(context.Request.Headers["X-Warden-Event"] ?? "", context.Request.Headers["X-Warden-Attempt"] ?? "",
                        context.Request.Headers["X-Warden-Timestamp"] ?? "", context.Request.Headers["X-Warden-Signature"] ?? "", body));
                    context.Response.StatusCode = 204;
                }

                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
