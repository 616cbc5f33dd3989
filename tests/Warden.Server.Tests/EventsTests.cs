using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Serving;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The event log and its API: predictions of a model Warden does not serve and their delayed feedback, posted as
/// JSON and JSON lines, idempotent by event id, joined into performance per window that survives a restart.</summary>
public sealed class EventsTests
{
    private static List<IngestEvent> ExternalPredictions(int count, Func<int, double> score) =>
        DriftTests.Records((_, v) => v).Take(count).Select((r, i) => new IngestEvent("prediction", EventId: $"p-{i}", Model: "credit-risk", Version: 1,
            RequestId: $"req-{i}", EntityId: $"customer-{i}", Prediction: score(i),
            Inputs: r.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value)))).ToList();

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Delayed_feedback_is_joined_into_performance_per_window_and_survives_a_restart(string engine)
    {
        var host = await WardenTestHost.StartAsync(engine, fakeClock: true);
        var stopped = false;
        try
        {
            using var team = await Team.CreateAsync(host);
            await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
            var random = new Random(7);
            var scores = Enumerable.Range(0, 300).Select(_ => random.NextDouble()).ToArray();
            var labels = scores.Select(s => random.NextDouble() < s ? 1 : 0).ToArray();
            var predictions = ExternalPredictions(300, i => scores[i]);

            var first = await team.Developer.IngestEventsAsync(predictions);
            Assert.Equal(300, first.Accepted);
            Assert.Equal(0, first.Duplicates);
            Assert.Empty(first.Rejected);

            // A client retrying the same batch stores nothing twice.
            var retry = await team.Developer.IngestEventsAsync(predictions);
            Assert.Equal(0, retry.Accepted);
            Assert.Equal(300, retry.Duplicates);

            // A day later, labels for two thirds arrive as JSON lines: half by request id, half by entity id; one names nothing known.
            host.Clock!.Advance(TimeSpan.FromDays(1));
            var lines = string.Join('\n', Enumerable.Range(0, 200).Select(i => JsonSerializer.Serialize(i % 2 == 0
                    ? new IngestEvent("feedback", EventId: $"f-{i}", RequestId: $"req-{i}", Label: labels[i])
                    : new IngestEvent("feedback", EventId: $"f-{i}", EntityId: $"customer-{i}", Label: labels[i]), JsonSerializerOptions.Web))
                .Append(JsonSerializer.Serialize(new IngestEvent("feedback", EventId: "f-unknown", RequestId: "never-seen", Label: 1), JsonSerializerOptions.Web)));
            var feedback = await team.Developer.IngestEventLinesAsync(lines);
            Assert.Equal(201, feedback.Accepted);

            var report = await team.Validator.GetPerformanceAsync("credit-risk", 1);
            var window = Assert.Single(report.Windows);
            Assert.Equal(300, window.Predictions);
            Assert.Equal(200, window.Labelled);
            Assert.Equal(200.0 / 300, window.LabelCoverage, 12);
            Assert.Equal(1, report.UnmatchedFeedback);
            var expected = Governance.ValidationMetrics.Classification(labels[..200], scores[..200]).Metrics;
            foreach (var metric in new[] { "accuracy", "precision", "recall", "f1", "roc_auc", "log_loss" })
            {
                Assert.Equal(expected[metric], window.Metrics[metric]!.Value, 9);
            }

            // The profiles are checkpointed at shutdown, the join and the outcomes are rebuilt from the event log at start.
            await host.StopAsync();
            stopped = true;
            var restarted = await WardenTestHost.StartOnAsync(engine, host.DataDirectory, host.PostgresConnectionString, host.AdminKey, ownsData: true);
            await using (restarted)
            {
                using var admin = restarted.Client();
                var again = Assert.Single((await admin.GetPerformanceAsync("credit-risk", 1)).Windows);
                Assert.Equal(300, again.Predictions);
                Assert.Equal(200, again.Labelled);
                Assert.Equal(window.Metrics["roc_auc"], again.Metrics["roc_auc"]);
                var duplicate = await admin.IngestEventsAsync([new IngestEvent("feedback", EventId: "f-3", RequestId: "req-3", Label: 1)]);
                Assert.Equal(1, duplicate.Duplicates);
            }
        }
        finally
        {
            if (!stopped)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Served_predictions_take_labels_by_request_id_or_unit_id_and_shadows_are_labelled_too()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var records = DriftTests.Records((_, v) => v);
        var byRequest = await team.Developer.PredictAsync("credit-risk", [records[0]], unitId: "applicant-1");
        await team.Developer.PredictAsync("credit-risk", [records[1]], unitId: "applicant-2");
        var batch = await team.Developer.PredictAsync("credit-risk", [records[2], records[3]]);
        await host.App.Services.GetRequiredService<EventLog>().FlushAsync();

        var result = await team.Developer.IngestEventsAsync([
            new IngestEvent("feedback", RequestId: byRequest.RequestId, Label: 1),
            new IngestEvent("feedback", EntityId: "applicant-2", Label: 0, Values: new Dictionary<string, double> { ["repaid"] = 0 }),
            new IngestEvent("feedback", RequestId: batch.RequestId + "/1", Label: 1),
        ]);
        Assert.Equal(3, result.Accepted);
        var window = Assert.Single((await team.Validator.GetPerformanceAsync("credit-risk", 1)).Windows);
        Assert.Equal(4, window.Predictions);
        Assert.Equal(3, window.Labelled);
        Assert.Equal(2.0 / 3, window.Metrics["positive_rate"]!.Value, 12);
        var second = await team.Developer.PredictAsync("credit-risk", [records[1]]);
        var probabilities = new[] { byRequest.Predictions[0].Probability!.Value, second.Predictions[0].Probability!.Value, batch.Predictions[1].Probability!.Value };
        var truth = new[] { 1, 0, 1 };
        var accuracy = probabilities.Zip(truth).Average(p => (p.First >= 0.5 ? 1 : 0) == p.Second ? 1.0 : 0.0);
        Assert.Equal(accuracy, window.Metrics["accuracy"]!.Value, 12);
    }

    [Fact]
    public async Task Bad_events_are_refused_with_their_position_and_schema_violations_are_counted()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var mixed = await team.Developer.IngestEventsAsync([
            new IngestEvent("prediction", Model: "credit-risk", Version: 1, Prediction: 0.3,
                Inputs: new Dictionary<string, JsonElement> { ["Age"] = JsonSerializer.SerializeToElement("old"), ["Shoe"] = JsonSerializer.SerializeToElement(44) }),
            new IngestEvent("prediction", Model: "no-such-model", Version: 1, Prediction: 0.3),
            new IngestEvent("feedback", Label: 1),
            new IngestEvent("guess"),
        ]);
        Assert.Equal(1, mixed.Accepted);
        Assert.Equal([1, 2, 3], mixed.Rejected.Select(r => r.Index));
        Assert.Contains("not registered", mixed.Rejected[0].Message, StringComparison.Ordinal);
        Assert.Equal("requestId", mixed.Rejected[1].Field);
        Assert.Equal("type", mixed.Rejected[2].Field);

        var allBad = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.IngestEventsAsync([new IngestEvent("feedback")]));
        Assert.Equal(HttpStatusCode.BadRequest, allBad.Status);
        var notJson = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.IngestEventLinesAsync("{\"type\": \"feedback\", \"label\": "));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        using var viewer = host.Client(await host.CreateKeyAsync(Roles.Viewer));
        var forbidden = await Assert.ThrowsAsync<WardenApiException>(() => viewer.IngestEventsAsync([new IngestEvent("feedback", RequestId: "x", Label: 1)]));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);

        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        await team.Developer.SetReferenceAsync("credit-risk", 1, System.Text.Encoding.UTF8.GetBytes(training));
        var quality = await team.Validator.GetQualityAsync("credit-risk", 1);
        var violations = quality.Violations!;
        Assert.Contains(violations, v => v is { Field: "Age", Kind: "type", Count: 1 });
        Assert.Contains(violations, v => v is { Field: "Shoe", Kind: "unknown-field" });
        Assert.Contains(violations, v => v is { Field: "Amount", Kind: "missing-field" });
        // Age is classified personal: its example is masked like every stored value.
        Assert.DoesNotContain("old", violations.Single(v => v.Field == "Age").Examples);
    }

    [Fact]
    public async Task A_changed_data_classification_reaches_ingestion_within_the_cache_lifetime()
    {
        await using var host = await WardenTestHost.StartAsync(fakeClock: true);
        using var team = await Team.CreateAsync(host);
        var numeric = GermanCredit.NumericPublic;
        await team.Developer.CreateModelAsync(new CreateModelRequest("credit", "team", 3, "draft model"));
        await team.Developer.UploadVersionAsync("credit", GermanCredit.OnnxModel, "v1.onnx", numeric);
        IngestEvent Event(string id) => new("prediction", EventId: id, Model: "credit", Version: 1, Prediction: 0.4,
            Inputs: GermanCredit.NumericColumns.ToDictionary(c => c, c => JsonSerializer.SerializeToElement(c == "Age" ? 44 : 2)));
        await team.Developer.IngestEventsAsync([Event("before")]);

        // Age becomes personal data: within the cache lifetime (30 s) stored events pseudonymise it.
        await team.Developer.ClassifyFeaturesAsync("credit", 1,
            GermanCredit.NumericColumns.Select(c => new FeatureClassification(c, c == "Age" ? "personal" : "public", c == "Age" ? "age is personal data" : null)).ToList());
        host.Clock!.Advance(TimeSpan.FromSeconds(31));
        await team.Developer.IngestEventsAsync([Event("after")]);

        var stored = new Dictionary<string, object?>();
        await foreach (var e in host.App.Services.GetRequiredService<EventLog>().ReadAllAsync())
        {
            stored[e.EventId] = e.Inputs["Age"];
        }

        Assert.Equal("44", Convert.ToString(stored["before"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEqual("44", Convert.ToString(stored["after"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Segments_past_the_retention_are_deleted_with_their_keys()
    {
        await using var host = await WardenTestHost.StartAsync(fakeClock: true);
        using var team = await Team.CreateAsync(host);
        await team.Developer.IngestEventsAsync([new IngestEvent("feedback", EventId: "old", RequestId: "r", Label: 1)]);
        host.Clock!.Advance(TimeSpan.FromDays(100));
        await team.Developer.IngestEventsAsync([new IngestEvent("feedback", EventId: "new", RequestId: "r", Label: 0)]);
        var log = host.App.Services.GetRequiredService<EventLog>();

        // The writer sweeps hourly (by the server's clock) after a commit: a hundred days on, the first day's segment goes.
        for (var i = 0; i < 100 && Directory.GetFiles(log.Directory, "*.seg").Length > 1; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, await log.DeleteExpiredAsync(host.Clock.GetUtcNow() - TimeSpan.FromDays(90)));
        var left = new List<string>();
        await foreach (var e in log.ReadEventsAsync())
        {
            left.Add(e.EventId);
        }

        Assert.Equal(["new"], left);
        Assert.Single(Directory.GetFiles(log.Directory, "*.seg"));

        // Idempotency memory follows the retention: the expired id is forgotten, the kept one still deduplicates.
        Assert.Equal(1, log.RememberedIds);
        var again = await team.Developer.IngestEventsAsync([new IngestEvent("feedback", EventId: "new", RequestId: "r", Label: 0)]);
        Assert.Equal((0, 1), (again.Accepted, again.Duplicates));
    }
}
