using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Experiments;
using Warden.Server.Serving;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Model-native guardrails of experiments: a treatment arm that answers slowly breaches a latency_p99 guardrail and the
/// experiment stops with its units back on control; a treatment version biased against one group on the German credit model's
/// Personal attribute breaches a fairness guardrail; native metrics are shown per arm and bad definitions are refused.</summary>
public sealed class ExperimentNativeMetricsTests
{
    /// <summary>Holds the treatment arm's requests for <paramref name="delay"/> inside the request, after routing. The fixtures'
    /// versions both score in microseconds, so this is how a slower treatment is made: the time is real (it passes between the
    /// prediction service's start and end), so the measurement, the hook, the sketch, its checkpoint, the results and the
    /// guardrail all see it as they would see a slow model; only the cause is staged.</summary>
    private sealed class SlowArm(ExperimentRouter inner, string arm, TimeSpan delay) : IExperimentRouter
    {
        public async ValueTask<ExperimentRoute?> RouteAsync(string model, string unitId, JsonElement record, CancellationToken cancellationToken)
        {
            var route = await inner.RouteAsync(model, unitId, record, cancellationToken);
            if (route?.Arm == arm)
            {
                await Task.Delay(delay, cancellationToken);
            }

            return route;
        }

        public void RecordServed(ExperimentRoute route, double latencyMs, bool failed) => inner.RecordServed(route, latencyMs, failed);
    }

    private static async Task<int> PredictAsync(HttpClient http, string unit)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/predict/credit", new { records = new[] { ExperimentTests.Record }, unitId = unit });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Version;
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_slow_treatment_breaches_a_latency_p99_guardrail_and_its_units_go_back_to_control(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine, configure: builder => builder.Services.AddSingleton<IExperimentRouter>(sp =>
            new SlowArm(sp.GetRequiredService<ExperimentRouter>(), "treatment", TimeSpan.FromMilliseconds(300))));
        using var team = await Team.CreateAsync(host);
        await ExperimentTests.TwoVersionsAsync(team);
        await team.Developer.CreateExperimentAsync(ExperimentTests.AbTest("latency") with
        {
            Metrics =
            [
                new ExperimentMetric("repaid"),
                new ExperimentMetric(NativeMetrics.LatencyP50, MetricKinds.Native, MetricRoles.Secondary),
                new ExperimentMetric(NativeMetrics.LatencyP99, MetricKinds.Native, MetricRoles.Guardrail, Max: 250, MinimumSample: 15),
                new ExperimentMetric(NativeMetrics.ErrorRate, MetricKinds.Native, MetricRoles.Guardrail, Max: 0.05, MinimumSample: 15),
            ],
        });
        await team.Developer.StartExperimentAsync("latency", "is v2 fast enough?");
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);
        var byUnit = new Dictionary<string, int>();
        foreach (var chunk in Enumerable.Range(0, 60).Select(u => $"l{u}").Chunk(10))
        {
            var versions = await Task.WhenAll(chunk.Select(u => PredictAsync(http, u)));
            foreach (var (unit, version) in chunk.Zip(versions))
            {
                byUnit[unit] = version;
            }
        }

        var results = await team.Viewer().GetExperimentResultsAsync("latency");
        var serving = results.Serving!.ToDictionary(a => a.Arm);
        Assert.Equal(byUnit.Values.Count(v => v == 2), serving["treatment"].Requests);
        Assert.Equal(byUnit.Values.Count(v => v == 1), serving["control"].Requests);
        Assert.Equal(0, serving["treatment"].Failures);
        Assert.Equal(0, serving["treatment"].ErrorRate);
        // Task.Delay(300) may complete up to a timer tick (a millisecond or so) before 300 ms by the stopwatch.
        Assert.True(serving["treatment"].LatencyP99 >= 295, $"treatment p99 {serving["treatment"].LatencyP99} ms");
        Assert.True(serving["treatment"].LatencyP50 >= 295, $"treatment p50 {serving["treatment"].LatencyP50} ms");
        Assert.True(serving["control"].LatencyP50 < 300, $"control p50 {serving["control"].LatencyP50} ms");
        var p99 = results.Native!.Single(m => m.Metric == NativeMetrics.LatencyP99);
        Assert.Equal("experiment", p99.Scope);
        Assert.Null(p99.Arms.Single(a => a.Arm == "control").Breach);
        Assert.Contains("above the limit 250", p99.Arms.Single(a => a.Arm == "treatment").Breach, StringComparison.Ordinal);
        Assert.All(results.Native!.Single(m => m.Metric == NativeMetrics.ErrorRate).Arms, a => Assert.Null(a.Breach));
        Assert.Null(results.Native!.Single(m => m.Metric == NativeMetrics.LatencyP50).Arms.Single(a => a.Arm == "treatment").Breach); // secondary: reported only
        Assert.Contains(results.GuardrailBreaches, b => b.StartsWith("latency_p99 in treatment (v2)", StringComparison.Ordinal));

        var decision = Assert.Single(await team.Operator.EvaluateExperimentAsync("latency"));
        Assert.Equal("stopped", decision.Action);
        Assert.Contains("latency_p99", decision.Detail, StringComparison.Ordinal);
        var stopped = await team.Viewer().GetExperimentAsync("latency");
        Assert.Equal(ExperimentStatuses.Stopped, stopped.Status);
        foreach (var unit in byUnit.Where(kv => kv.Value == 2).Select(kv => kv.Key).Take(10))
        {
            Assert.Equal(1, await PredictAsync(http, unit)); // back on control (and fast again)
        }

        var audit = await team.Admin.ListAuditAsync(new AuditQuery { Action = "experiments.guardrail_stop" });
        Assert.Contains("latency_p99", JsonSerializer.Serialize(Assert.Single(audit.Items)), StringComparison.Ordinal);
        // A stopped experiment measures nothing more: the phase's numbers stay those of the experiment's own requests.
        Assert.Equal(serving["treatment"].Requests, (await team.Viewer().GetExperimentResultsAsync("latency")).Serving!.Single(a => a.Arm == "treatment").Requests);
    }

    /// <summary>v2 of credit-risk: the same model repacked without compression (the registry refuses an artifact it already holds),
    /// taken through validation and both approvals, promoted to challenger.</summary>
    private static async Task SecondVersionAsync(Team team, string name)
    {
        using var repacked = new MemoryStream();
        using (var source = new System.IO.Compression.ZipArchive(new MemoryStream(GermanCredit.MlNetModel)))
        using (var target = new System.IO.Compression.ZipArchive(repacked, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                await using var from = entry.Open();
                await using var to = target.CreateEntry(entry.FullName, System.IO.Compression.CompressionLevel.NoCompression).Open();
                await from.CopyToAsync(to);
            }
        }

        await team.Developer.UploadVersionAsync(name, repacked.ToArray(), "model.zip", new UploadVersionMetadata(LabelColumn: "Label",
            DataClassification: [new FeatureClassification("Age", "personal", "affordability rules need age")]));
        await team.Developer.UpdateCardAsync(name, 2, RegistryScenario.Card);
        await team.Developer.SubmitVersionAsync(name, 2, "ready");
        await team.Validator.RunValidationAsync(name, 2, GermanCredit.HoldoutCsv(), "Class", "Good");
        await team.Validator.ValidateVersionAsync(name, 2, "validated");
        foreach (var failing in (await team.Admin.GetGatesAsync(name, 2)).Gates.Where(g => g.Status == "fail"))
        {
            await team.Admin.AddGateExceptionAsync(name, 2, new GateExceptionRequest(failing.Gate, $"Accepted by the model risk committee ({failing.Gate})."));
        }

        await team.Approver1.ApproveVersionAsync(name, 2, "approved");
        await team.Approver2.ApproveVersionAsync(name, 2, "approved");
        await team.Operator.PromoteAsync(name, "challenger", 2, "candidate");
    }

    private static List<IngestEvent> Traffic(string prefix, int version, Func<IReadOnlyDictionary<string, object?>, double> score) =>
        DriftTests.Records((_, v) => v).Select((r, i) => new IngestEvent("prediction", EventId: $"{prefix}-{i}", Model: "credit-risk", Version: version,
            RequestId: $"{prefix}-{i}", Prediction: score(r), Inputs: r.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value)))).ToList();

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_treatment_biased_on_Personal_breaches_a_fairness_guardrail_and_the_experiment_stops(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        await SecondVersionAsync(team, "credit-risk");
        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        await team.Developer.SetReferenceAsync("credit-risk", 1, Encoding.UTF8.GetBytes(training));
        await team.Developer.CreateExperimentAsync(new CreateExperimentRequest("fair", "credit-risk",
            [new ExperimentArmRequest("control", 1, Control: true), new ExperimentArmRequest("treatment", 2)],
            [
                new ExperimentMetric("repaid"),
                new ExperimentMetric(NativeMetrics.DisparateImpact, MetricKinds.Native, MetricRoles.Guardrail, Feature: "Personal", Min: 0.8),
                new ExperimentMetric(NativeMetrics.DriftShare, MetricKinds.Native, MetricRoles.Secondary),
            ]));
        await team.Developer.StartExperimentAsync("fair", "does v2 treat applicants alike?");

        // The units of the experiment are served by both versions while it runs.
        var record = DriftTests.Records((_, v) => v)[0];
        var served = new List<int>();
        for (var u = 0; u < 20; u++)
        {
            served.Add((await team.Developer.PredictAsync("credit-risk", [record], unitId: $"f{u}")).Version);
        }

        Assert.Contains(2, served);

        // Monitoring sees each version's traffic (here posted, as a model served elsewhere would be): v1 approves everyone alike,
        // v2 approves applicants whose Personal is Female.NotSingle far less often.
        await team.Developer.IngestEventsAsync(Traffic("v1", 1, _ => 0.7));
        await team.Developer.IngestEventsAsync(Traffic("v2", 2, r => (string?)r["Personal"] == "Female.NotSingle" ? 0.2 : 0.7));

        var results = await team.Viewer().GetExperimentResultsAsync("fair");
        var fairness = results.Native!.Single(m => m.Metric == NativeMetrics.DisparateImpact);
        Assert.Equal(("Personal", "version", true), (fairness.Feature, fairness.Scope, fairness.HigherIsBetter));
        var control = fairness.Arms.Single(a => a.Arm == "control");
        var treatment = fairness.Arms.Single(a => a.Arm == "treatment");
        Assert.True(control.Value >= 0.8, $"control disparate impact {control.Value}");
        Assert.Null(control.Breach);
        Assert.True(treatment.Value < 0.8, $"treatment disparate impact {treatment.Value}");
        Assert.True(treatment.Sample >= 300);
        Assert.Contains("below the limit 0.8", treatment.Breach, StringComparison.Ordinal);
        Assert.True(treatment.RelativeToControl < -0.2);
        var drift = results.Native!.Single(m => m.Metric == NativeMetrics.DriftShare);
        Assert.NotNull(drift.Arms.Single(a => a.Arm == "control").Value); // v1 has a reference
        Assert.Contains("reference", drift.Arms.Single(a => a.Arm == "treatment").Note, StringComparison.Ordinal); // v2 has none

        var decision = Assert.Single(await team.Operator.EvaluateExperimentAsync("fair"));
        Assert.Equal("stopped", decision.Action);
        Assert.Contains("fairness.disparate_impact[Personal] in treatment (v2)", decision.Detail, StringComparison.Ordinal);
        Assert.StartsWith("guardrail breached", (await team.Viewer().GetExperimentAsync("fair")).StopReason, StringComparison.Ordinal);
        for (var u = 0; u < 20; u++)
        {
            Assert.Equal(1, (await team.Developer.PredictAsync("credit-risk", [record], unitId: $"f{u}")).Version);
        }

        // Evaluated on demand, the stop is the operator's; the timer stops as the system (ExperimentTests).
        var audit = await team.Admin.ListAuditAsync(new AuditQuery { Action = "experiments.guardrail_stop" });
        Assert.Equal("experiment:fair", Assert.Single(audit.Items).Target);
    }

    [Fact]
    public async Task Bad_native_metrics_are_refused_with_the_reason()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await ExperimentTests.TwoVersionsAsync(team);

        async Task<string> RefusedAsync(params ExperimentMetric[] extra)
        {
            var e = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.CreateExperimentAsync(ExperimentTests.AbTest("bad") with
            {
                Metrics = [new ExperimentMetric("repaid"), .. extra],
            }));
            Assert.Equal(HttpStatusCode.BadRequest, e.Status);
            return e.Message + " " + string.Join(" ", e.Errors.SelectMany(kv => kv.Value));
        }

        Assert.Contains("one of latency_p50", await RefusedAsync(new ExperimentMetric("latency_p95", MetricKinds.Native, MetricRoles.Guardrail, Max: 1)),
            StringComparison.Ordinal);
        Assert.Contains("needs a limit", await RefusedAsync(new ExperimentMetric(NativeMetrics.LatencyP99, MetricKinds.Native, MetricRoles.Guardrail)),
            StringComparison.Ordinal);
        Assert.Contains("needs the feature or sensitive attribute",
            await RefusedAsync(new ExperimentMetric(NativeMetrics.DisparateImpact, MetricKinds.Native, MetricRoles.Guardrail, Min: 0.8)), StringComparison.Ordinal);
        Assert.Contains("not a sensitive attribute of the model",
            await RefusedAsync(new ExperimentMetric(NativeMetrics.DisparateImpact, MetricKinds.Native, MetricRoles.Guardrail, Feature: "Personal", Min: 0.8)),
            StringComparison.Ordinal);
        Assert.Contains("belong to native metrics", await RefusedAsync(new ExperimentMetric("complaint", MetricKinds.Binomial, MetricRoles.Guardrail, Max: 0.1)),
            StringComparison.Ordinal);
        var primary = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.CreateExperimentAsync(ExperimentTests.AbTest("bad") with
        {
            Metrics = [new ExperimentMetric(NativeMetrics.ErrorRate, MetricKinds.Native, MetricRoles.Primary, Max: 0.01)],
        }));
        Assert.Equal(HttpStatusCode.BadRequest, primary.Status);
    }
}
