using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Experiments;
using Warden.Server.Monitoring;
using Warden.Server.Serving;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Experiments as a product feature: two versions of the German credit model in a live A/B test through the
/// serving path (sticky units, also across a restart), outcomes from feedback, results with SRM and always-valid
/// intervals, a guardrail that stops an experiment by itself, a bandit that moves traffic to the better arm, and a
/// winner that becomes a promotion proposal accepted by someone other than the proposer.</summary>
public sealed class ExperimentTests
{
    internal static readonly UploadVersionMetadata Numeric = GermanCredit.NumericPublic;

    internal static readonly Dictionary<string, double> Record = GermanCredit.NumericColumns.ToDictionary(c => c, c => c == "Age" ? 35.0 : 2.0);

    /// <summary>v1 holds champion, v2 challenger.</summary>
    internal static async Task TwoVersionsAsync(Team team)
    {
        await RegistryScenario.ApprovedAsync(team, "credit", GermanCredit.OnnxModel, "v1.onnx", Numeric);
        await RegistryScenario.ApprovedAsync(team, "credit", File.ReadAllBytes(GermanCredit.Fixture("german_credit_logreg_v2.onnx")), "v2.onnx", Numeric, "challenger");
    }

    internal static CreateExperimentRequest AbTest(string name = "credit-ab", string kind = ExperimentKinds.AB, BanditSettings? bandit = null) => new(
        name, "credit",
        [new ExperimentArmRequest("control", 1, Control: true), new ExperimentArmRequest("treatment", 2)],
        [
            new ExperimentMetric("repaid", MetricKinds.Binomial, MetricRoles.Primary),
            new ExperimentMetric("revenue", MetricKinds.Continuous, MetricRoles.Secondary, CapQuantile: 0.99, Covariate: "revenue_pre"),
            new ExperimentMetric("complaint", MetricKinds.Binomial, MetricRoles.Guardrail, Inverse: true),
        ],
        Kind: kind, UnitType: "customer", Mde: 0.1, Baseline: 0.3, Bandit: bandit, Hypothesis: "v2 ranks applicants better, so more loans are repaid",
        SequentialTuning: 300);

    /// <summary>Feedback as the event log will deliver it: entity id = unit id, named outcomes.</summary>
    internal static async Task FeedbackAsync(WardenTestHost host, IEnumerable<(string Unit, Dictionary<string, double> Values)> outcomes)
    {
        var batch = outcomes.Select(o => new FeedbackEvent(Guid.NewGuid().ToString("N"), host.Clock?.GetUtcNow() ?? DateTimeOffset.UtcNow, "credit", null, o.Unit, null, o.Values))
            .ToList();
        foreach (var listener in host.App.Services.GetServices<IFeedbackListener>())
        {
            await listener.OnFeedbackAsync(batch, CancellationToken.None);
        }
    }

    /// <summary>Deterministic Bernoulli draw per unit.</summary>
    internal static bool Draw(string unit, string what, double p) => (Experimentation.Assignment.GrowthBookHash.Hash(what, unit, 2) ?? 0) < p;

    private static async Task<int> PredictAsync(HttpClient http, string unit)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/predict/credit", new { records = new[] { Record }, unitId = unit });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Version;
    }

    private static HttpClient Predictor(WardenTestHost host, Team team)
    {
        var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);
        return http;
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task An_ab_test_through_serving_is_sticky_and_reports_results_with_srm_and_sequential_intervals(string engine)
    {
        var host = await WardenTestHost.StartAsync(engine);
        var team = await Team.CreateAsync(host);
        Dictionary<string, int> byUnit;
        try
        {
            await TwoVersionsAsync(team);
            var created = await team.Developer.CreateExperimentAsync(AbTest());
            Assert.Equal(ExperimentStatuses.Draft, created.Status);
            Assert.Equal(["champion", "challenger"], created.Arms.Select(a => a.Alias));
            Assert.True(created.PlannedSampleSize > 1000, $"power analysis planned {created.PlannedSampleSize}");
            await team.Developer.StartExperimentAsync("credit-ab", "ready to learn");

            using var http = Predictor(host, team);
            byUnit = [];
            for (var u = 0; u < 300; u++)
            {
                var unit = $"customer-{u}";
                var first = await PredictAsync(http, unit);
                Assert.Equal(first, await PredictAsync(http, unit)); // sticky within the run
                byUnit[unit] = first;
            }

            var onTwo = byUnit.Values.Count(v => v == 2);
            Assert.InRange(onTwo, 110, 190);

            // v2 repays more; revenue follows; the pre-period revenue predicts revenue (CUPED).
            await FeedbackAsync(host, byUnit.Select(kv =>
            {
                var pre = 10 + 20 * (Experimentation.Assignment.GrowthBookHash.Hash("pre", kv.Key, 2) ?? 0);
                var repaid = Draw(kv.Key, "repaid", kv.Value == 2 ? 0.65 : 0.30);
                return (kv.Key, new Dictionary<string, double>
                {
                    ["repaid"] = repaid ? 1 : 0, ["revenue"] = pre + (repaid ? 5 : 0), ["revenue_pre"] = pre, ["complaint"] = Draw(kv.Key, "complaint", 0.05) ? 1 : 0,
                });
            }));

            var results = await team.Viewer().GetExperimentResultsAsync("credit-ab");
            Assert.Equal(300, results.Units);
            Assert.Equal(onTwo, results.Arms.Single(a => a.Arm == "treatment").Units);
            Assert.NotNull(results.Srm);
            Assert.False(results.Srm!.Mismatch);
            Assert.True(results.Srm.PValue > 0.001);
            var repaidResult = results.Metrics.Single(m => m.Metric == "repaid");
            var treatment = repaidResult.Arms.Single(a => a.Arm == "treatment");
            Assert.True(treatment.Mean > repaidResult.Arms.Single(a => a.Arm == "control").Mean);
            Assert.True(treatment.Relative!.Estimate > 0.5, $"relative lift {treatment.Relative.Estimate}");
            Assert.True(treatment.Absolute!.PValue < 0.001);
            var sequential = treatment.Sequential!;
            Assert.True(sequential.CiLower > 0, "the always-valid interval excludes zero");
            Assert.True(sequential.CiUpper - sequential.CiLower > treatment.Relative.CiUpper - treatment.Relative.CiLower, "always-valid intervals are wider");
            Assert.True(treatment.Bayesian!.ChanceToBeatControl > 0.99);
            Assert.NotNull(treatment.PValueHolm);
            Assert.True(treatment.PValueHolm >= treatment.Relative.PValue);
            var revenue = results.Metrics.Single(m => m.Metric == "revenue");
            Assert.True(revenue.Cuped);
            Assert.Equal("treatment", results.Winner);
            Assert.Empty(results.GuardrailBreaches);

            var timeline = await team.Viewer().GetExperimentTimelineAsync("credit-ab", 6);
            Assert.NotEmpty(timeline);
            Assert.All(timeline, p => Assert.True(p.CiLower <= p.Estimate && p.Estimate <= p.CiUpper));
            await host.StopAsync();
        }
        finally
        {
            team.Dispose();
        }

        // After a restart the same units get the same versions.
        await using var again = await WardenTestHost.StartOnAsync(engine, host.DataDirectory, host.PostgresConnectionString, host.AdminKey, ownsData: true);
        using var team2Http = again.Http();
        team2Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", again.AdminKey);
        foreach (var (unit, version) in byUnit.Take(40))
        {
            Assert.Equal(version, await PredictAsync(team2Http, unit));
        }
    }

    [Fact]
    public async Task A_winner_becomes_a_promotion_proposal_that_another_person_accepts_and_the_alias_moves()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await TwoVersionsAsync(team);
        await team.Admin.CreateExperimentAsync(AbTest());
        await team.Admin.StartExperimentAsync("credit-ab", "go");
        using var http = Predictor(host, team);
        var byUnit = new Dictionary<string, int>();
        for (var u = 0; u < 300; u++)
        {
            byUnit[$"u{u}"] = await PredictAsync(http, $"u{u}");
        }

        await FeedbackAsync(host, byUnit.Select(kv => (kv.Key, new Dictionary<string, double> { ["repaid"] = Draw(kv.Key, "r", kv.Value == 2 ? 0.7 : 0.3) ? 1 : 0 })));
        var decisions = await team.Operator.EvaluateExperimentAsync("credit-ab");
        var proposed = Assert.Single(decisions, d => d.Action == "proposed");
        Assert.Empty(await team.Operator.EvaluateExperimentAsync("credit-ab") is var again ? again.Where(d => d.Action == "proposed") : []); // proposed once

        var proposal = Assert.Single(await team.Viewer().ListPromotionProposalsAsync("pending"));
        Assert.Equal(proposed.ProposalId, proposal.Id);
        Assert.Equal((2, "champion"), (proposal.Version, proposal.Alias));

        // The admin created the experiment, so the admin proposed it and cannot accept it, whatever the role allows.
        var selfApproval = await Assert.ThrowsAsync<WardenApiException>(() => team.Admin.AcceptPromotionAsync(proposal.Id, "looks good"));
        Assert.Equal(HttpStatusCode.Forbidden, selfApproval.Status);
        Assert.Contains("Segregation of duties", selfApproval.Message, StringComparison.Ordinal);
        var developer = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.AcceptPromotionAsync(proposal.Id, "mine"));
        Assert.Equal(HttpStatusCode.Forbidden, developer.Status);

        var accepted = await team.Approver1.AcceptPromotionAsync(proposal.Id, "evidence reviewed");
        Assert.Equal("accepted", accepted.Status);
        Assert.Equal(ExperimentStatuses.Concluded, (await team.Viewer().GetExperimentAsync("credit-ab")).Status);
        var history = await team.Viewer().GetModelHistoryAsync("credit", "champion");
        Assert.Equal(2, history.AliasEvents[^1].Version);
        using var plain = await http.PostAsJsonAsync("/api/v1/predict/credit", Record);
        Assert.Equal(2, (await plain.Content.ReadFromJsonAsync<PredictionResponse>())!.Version); // served at once
        var audit = (await team.Admin.ListAuditAsync(new AuditQuery { Action = "promotions.accept" })).Items;
        Assert.Equal("approver1", Assert.Single(audit, r => r.Outcome == "success").ActorName);
        Assert.Equal(2, audit.Count(r => r.Outcome == "denied")); // the refusals are on the record too
        var conflict = await Assert.ThrowsAsync<WardenApiException>(() => team.Approver2.AcceptPromotionAsync(proposal.Id, "again"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_guardrail_breach_stops_the_experiment_and_sends_its_units_back_to_control(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        await TwoVersionsAsync(team);
        await team.Developer.CreateExperimentAsync(AbTest("guarded"));
        await team.Developer.StartExperimentAsync("guarded", "go");
        using var http = Predictor(host, team);
        var byUnit = new Dictionary<string, int>();
        for (var u = 0; u < 200; u++)
        {
            byUnit[$"g{u}"] = await PredictAsync(http, $"g{u}");
        }

        await FeedbackAsync(host, byUnit.Select(kv => (kv.Key, new Dictionary<string, double>
        {
            ["repaid"] = Draw(kv.Key, "r", 0.3) ? 1 : 0, ["complaint"] = Draw(kv.Key, "c", kv.Value == 2 ? 0.5 : 0.05) ? 1 : 0,
        })));
        var evaluator = host.App.Services.GetRequiredService<ExperimentEvaluator>();
        var decision = Assert.Single(await evaluator.EvaluateAsync("guarded", force: false, Audit.AuditActor.System, "test"));
        Assert.Equal("stopped", decision.Action);
        Assert.Contains("complaint", decision.Detail, StringComparison.Ordinal);
        var stopped = await team.Viewer().GetExperimentAsync("guarded");
        Assert.Equal(ExperimentStatuses.Stopped, stopped.Status);
        Assert.StartsWith("guardrail breached", stopped.StopReason, StringComparison.Ordinal);
        foreach (var unit in byUnit.Keys.Take(30))
        {
            Assert.Equal(1, await PredictAsync(http, unit));
        }

        var audit = await team.Admin.ListAuditAsync(new AuditQuery { Action = "experiments.guardrail_stop" });
        Assert.Equal("system", Assert.Single(audit.Items).ActorKeyId);
        Assert.Empty(await team.Viewer().ListPromotionProposalsAsync());
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_bandit_shifts_traffic_toward_the_better_arm_and_keeps_the_floor(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        await TwoVersionsAsync(team);
        await team.Developer.CreateExperimentAsync(AbTest("credit-bandit", ExperimentKinds.Bandit, new BanditSettings(BanditPolicies.Thompson, Floor: 0.05)));
        await team.Developer.StartExperimentAsync("credit-bandit", "go");
        var predictions = host.App.Services.GetRequiredService<PredictionService>();
        var evaluator = host.App.Services.GetRequiredService<ExperimentEvaluator>();
        var record = JsonSerializer.SerializeToElement(Record);
        var shareOfTwo = new List<double>();
        for (var period = 0; period < 5; period++)
        {
            var served = new List<(string Unit, int Version)>();
            for (var u = 0; u < 120; u++)
            {
                var unit = $"p{period}-u{u}";
                var answer = await predictions.PredictAsync("credit", null, [record], unit, $"req-{unit}", "test", CancellationToken.None);
                served.Add((unit, answer.Version));
            }

            shareOfTwo.Add(served.Count(s => s.Version == 2) / (double)served.Count);
            await FeedbackAsync(host, served.Select(s => (s.Unit, new Dictionary<string, double> { ["repaid"] = Draw(s.Unit, "r", s.Version == 2 ? 0.45 : 0.15) ? 1 : 0 })));
            var decisions = await evaluator.EvaluateAsync("credit-bandit", force: true, Audit.AuditActor.System, "test");
            Assert.Contains(decisions, d => d.Action == "reallocated");
        }

        var allocations = await team.Viewer().GetExperimentAllocationsAsync("credit-bandit");
        Assert.Equal(6, allocations.Count); // the initial weights and five reallocations
        Assert.Equal(0.5, allocations[0].Weights["treatment"], 6);
        Assert.True(allocations[^1].Weights["treatment"] > 0.9, $"treatment weight {allocations[^1].Weights["treatment"]}");
        Assert.True(allocations[^1].Weights["control"] >= 0.05 - 1e-9, "the floor holds");
        Assert.True(shareOfTwo[^1] > shareOfTwo[0] + 0.3, $"served share of v2 per period: {string.Join(", ", shareOfTwo)}");
        var results = await team.Viewer().GetExperimentResultsAsync("credit-bandit");
        Assert.False(results.Srm!.Mismatch); // expected counts follow each period's weights
    }

    [Fact]
    public async Task Bad_input_gets_problem_details_never_a_server_error()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await TwoVersionsAsync(team);
        var dev = team.Developer;

        async Task<WardenApiException> Refused(Func<Task> call, HttpStatusCode status)
        {
            var e = await Assert.ThrowsAsync<WardenApiException>(call);
            Assert.Equal(status, e.Status);
            return e;
        }

        var invalid = await Refused(() => dev.CreateExperimentAsync(AbTest() with { Name = "Bad Name", Metrics = [], Coverage = 2 }), HttpStatusCode.BadRequest);
        Assert.Contains("name", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("metrics", invalid.Message, StringComparison.Ordinal);
        await Refused(() => dev.CreateExperimentAsync(AbTest() with { Arms = [new ExperimentArmRequest("only", 1)] }), HttpStatusCode.BadRequest);
        await Refused(() => dev.CreateExperimentAsync(AbTest() with { Model = "nope" }), HttpStatusCode.NotFound);
        await Refused(() => dev.CreateExperimentAsync(AbTest() with { Arms = [new ExperimentArmRequest("a", 1), new ExperimentArmRequest("b", 9)] }), HttpStatusCode.NotFound);
        await Refused(() => dev.GetExperimentResultsAsync("missing"), HttpStatusCode.NotFound);
        await Refused(() => dev.StartExperimentAsync("missing", "x"), HttpStatusCode.NotFound);

        // v3 is approved but holds no alias: serving could not reach it.
        var v3 = (await dev.UploadVersionAsync("credit", GermanCredit.MlNetModel, "v3.zip", new UploadVersionMetadata(LabelColumn: "Label"))).Version;
        await dev.UpdateCardAsync("credit", v3, RegistryScenario.Card);
        await dev.SubmitVersionAsync("credit", v3, "ready");
        await team.Approver1.ApproveVersionAsync("credit", v3, "ok");
        var noAlias = await Refused(() => dev.CreateExperimentAsync(AbTest() with { Arms = [new ExperimentArmRequest("a", 1), new ExperimentArmRequest("b", v3)] }),
            HttpStatusCode.Conflict);
        Assert.Contains("holds no alias", noAlias.Message, StringComparison.Ordinal);

        await dev.CreateExperimentAsync(AbTest());
        await Refused(() => dev.CreateExperimentAsync(AbTest()), HttpStatusCode.Conflict);
        await Refused(() => dev.StopExperimentAsync("credit-ab", "not running"), HttpStatusCode.Conflict);
        await dev.StartExperimentAsync("credit-ab", "go");
        await Refused(() => dev.StartExperimentAsync("credit-ab", "again"), HttpStatusCode.Conflict);
        await dev.CreateExperimentAsync(AbTest("second"));
        await Refused(() => dev.StartExperimentAsync("second", "overlaps"), HttpStatusCode.Conflict);

        // New weights keep assigned units; new arms need an explicit reseed.
        var reshuffle = await Refused(() => dev.NewExperimentPhaseAsync("credit-ab", new NewPhaseRequest(
            [new ExperimentArmRequest("control", 1, Control: true), new ExperimentArmRequest("other", 2)], "rename")), HttpStatusCode.Conflict);
        Assert.Contains("reseed", reshuffle.Message, StringComparison.Ordinal);
        var phase2 = await dev.NewExperimentPhaseAsync("credit-ab", new NewPhaseRequest(
            [new ExperimentArmRequest("control", 1, 80, true), new ExperimentArmRequest("treatment", 2, 20)], "less risk"));
        Assert.Equal(2, phase2.Phase);
        Assert.Equal(0.2, phase2.Arms[1].Weight, 9);
        Assert.False(phase2.Phases[1].Reseeded);
        Assert.Equal(phase2.Phases[0].Seed, phase2.Phases[1].Seed);

        await Refused(() => dev.AcceptPromotionAsync("p_missing", "x"), HttpStatusCode.Forbidden); // developers cannot accept at all
        await Refused(() => team.Approver1.AcceptPromotionAsync("p_missing", "x"), HttpStatusCode.NotFound);
        await Refused(() => team.Approver1.AcceptPromotionAsync("p_missing", ""), HttpStatusCode.BadRequest);
        await Refused(() => dev.PowerAnalysisAsync(new PowerRequest("binomial", 1.5, 0.1)), HttpStatusCode.BadRequest);
        var power = await dev.PowerAnalysisAsync(new PowerRequest("binomial", 0.3, 0.1));
        Assert.InRange(power.UnitsPerArm, 3000, 4000); // Cohen's h for 0.30 → 0.33: about 3,760 per arm

        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);
        foreach (var body in new[] { "{}", "[]", "{\"name\":\"x\",\"model\":\"credit\",\"arms\":[null,null],\"metrics\":[null]}", "not json" })
        {
            using var response = await http.PostAsync("/api/v1/experiments", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}

/// <summary>Helpers for experiment tests.</summary>
internal static class TeamExtensions
{
    /// <summary>Any member may read results; the operator reads here (viewer-level permission).</summary>
    public static WardenClient Viewer(this Team team) => team.Operator;
}
