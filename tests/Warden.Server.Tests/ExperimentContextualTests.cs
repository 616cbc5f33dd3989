using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Experiments;
using Warden.Server.Serving;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>A contextual bandit (LinUCB) learning which version suits which applicants, and off-policy evaluation of candidate
/// policies on logged decisions whose true values are known.</summary>
public sealed class ExperimentContextualTests
{
    private const double Young = 25;
    private const double Old = 60;

    /// <summary>Repayment probability by version and age group: v2 suits young applicants, v1 older ones.</summary>
    private static double Repay(int version, double age) => (version, age) switch
    {
        (2, Young) => 0.7,
        (1, Young) => 0.2,
        (1, _) => 0.7,
        _ => 0.2,
    };

    private static JsonElement Applicant(double age) =>
        JsonSerializer.SerializeToElement(ExperimentTests.Record.ToDictionary(kv => kv.Key, kv => kv.Key == "Age" ? age : kv.Value));

    private static async Task<List<(string Unit, double Age, int Version)>> ServeAsync(PredictionService predictions, string prefix, int units)
    {
        var served = new List<(string, double, int)>();
        for (var u = 0; u < units; u++)
        {
            var unit = $"{prefix}-{u}";
            var age = u % 2 == 0 ? Young : Old;
            var answer = await predictions.PredictAsync("credit", null, [Applicant(age)], unit, $"req-{unit}", "test", CancellationToken.None);
            served.Add((unit, age, answer.Version));
        }

        return served;
    }

    private static void Covers(OffPolicyValue estimate, double truth, string what) =>
        Assert.True(estimate.CiLower <= truth && truth <= estimate.CiUpper, $"{what}: {estimate.Value:F3} [{estimate.CiLower:F3}, {estimate.CiUpper:F3}] misses {truth}");

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task LinUcb_learns_which_version_suits_which_context_and_its_log_supports_off_policy_evaluation(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        await ExperimentTests.TwoVersionsAsync(team);
        var created = await team.Developer.CreateExperimentAsync(ExperimentTests.AbTest("credit-linucb", ExperimentKinds.LinUcb, new BanditSettings(Floor: 0.05)) with
        {
            ContextFeatures = ["Age"],
        });
        Assert.Equal(BanditPolicies.LinUcb, created.Bandit!.Policy);
        Assert.Equal(["Age"], created.ContextFeatures);
        await team.Developer.StartExperimentAsync("credit-linucb", "learn per applicant");
        var predictions = host.App.Services.GetRequiredService<PredictionService>();
        var evaluator = host.App.Services.GetRequiredService<ExperimentEvaluator>();

        var rounds = new List<List<(string Unit, double Age, int Version)>>();
        for (var round = 0; round < 6; round++)
        {
            var served = await ServeAsync(predictions, $"r{round}", 120);
            rounds.Add(served);
            await ExperimentTests.FeedbackAsync(host, served.Select(s => (s.Unit, new Dictionary<string, double>
            {
                ["repaid"] = ExperimentTests.Draw(s.Unit, "r", Repay(s.Version, s.Age)) ? 1 : 0,
            })));
            var decisions = await evaluator.EvaluateAsync("credit-linucb", force: true, Audit.AuditActor.System, "test");
            Assert.Contains(decisions, d => d.Action == "reallocated");
            Assert.DoesNotContain(decisions, d => d.Action == "proposed"); // arms' means are confounded by context: no winner
        }

        static double Share(List<(string Unit, double Age, int Version)> served, double age, int version) =>
            served.Count(s => s.Age == age && s.Version == version) / (double)served.Count(s => s.Age == age);

        // Before any reward every context ties and the tie-break spreads units evenly; afterwards each age gets its better version,
        // apart from the 2 × 5 % floor of uniform exploration (95 % expected).
        Assert.InRange(Share(rounds[0], Young, 2), 0.3, 0.7);
        Assert.InRange(Share(rounds[0], Old, 1), 0.3, 0.7);
        Assert.True(Share(rounds[^1], Young, 2) > 0.85, $"young applicants on v2: {Share(rounds[^1], Young, 2):P0}");
        Assert.True(Share(rounds[^1], Old, 1) > 0.85, $"older applicants on v1: {Share(rounds[^1], Old, 1):P0}");
        Assert.True(Share(rounds[^1], Old, 2) > 0, "the floor keeps exploring");

        // Contexts decide the arms, so there is no expected ratio (no SRM check) and no winner.
        var results = await team.Viewer().GetExperimentResultsAsync("credit-linucb");
        Assert.Null(results.Srm);
        Assert.Null(results.Winner);
        Assert.Equal(7, (await team.Viewer().GetExperimentAllocationsAsync("credit-linucb")).Count);

        // The log (deterministic choices plus the floor, with exact propensities) evaluates other policies: always v1 earns
        // (0.2 + 0.7)/2 = 0.45; the per-age policy the bandit learned earns 0.7. 99 % intervals.
        var alwaysControl = await team.Viewer().EvaluateOffPolicyAsync("credit-linucb", new OffPolicyRequest(new Dictionary<string, double> { ["control"] = 1 }, Alpha: 0.01));
        Assert.Equal(720, alwaysControl.Decisions);
        Covers(alwaysControl.Ips, 0.45, "IPS, always control");
        Covers(alwaysControl.SelfNormalized, 0.45, "SNIPS, always control");
        Covers(alwaysControl.DoublyRobust, 0.45, "DR, always control");
        Assert.True(alwaysControl.EffectiveSampleSize < 720 * 0.75, $"ESS {alwaysControl.EffectiveSampleSize}");
        var perAge = await team.Viewer().EvaluateOffPolicyAsync("credit-linucb", new OffPolicyRequest(new Dictionary<string, double> { ["control"] = 1 },
            [new OffPolicyRule("Age", new Dictionary<string, double> { ["treatment"] = 1 }, Max: 40)], Alpha: 0.01));
        Covers(perAge.Ips, 0.7, "IPS, per age");
        Covers(perAge.SelfNormalized, 0.7, "SNIPS, per age");
        Covers(perAge.DoublyRobust, 0.7, "DR, per age");
        Assert.True(perAge.Logged.Value > alwaysControl.Ips.Value, "the bandit earned more than always-control would have");
    }

    [Fact]
    public async Task Off_policy_estimates_of_an_ab_log_cover_the_known_values_of_candidate_policies()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await ExperimentTests.TwoVersionsAsync(team);
        var request = ExperimentTests.AbTest("credit-ope") with
        {
            Arms = [new ExperimentArmRequest("control", 1, 70, Control: true), new ExperimentArmRequest("treatment", 2, 30)],
            ContextFeatures = ["Age"],
        };
        await team.Developer.CreateExperimentAsync(request);
        var draft = await Assert.ThrowsAsync<WardenApiException>(() =>
            team.Viewer().EvaluateOffPolicyAsync("credit-ope", new OffPolicyRequest(new Dictionary<string, double> { ["treatment"] = 1 })));
        Assert.Equal(HttpStatusCode.Conflict, draft.Status); // nothing logged yet
        await team.Developer.StartExperimentAsync("credit-ope", "go");
        var predictions = host.App.Services.GetRequiredService<PredictionService>();
        var served = await ServeAsync(predictions, "ope", 600);

        // Young: v1 0.3, v2 0.6; old: v1 0.5, v2 0.4 — always v1 earns 0.40, always v2 0.50, v2 for the young and v1 for the old 0.55.
        static double Rate(int version, double age) => age == Young ? (version == 2 ? 0.6 : 0.3) : (version == 2 ? 0.4 : 0.5);
        await ExperimentTests.FeedbackAsync(host, served.Select(s => (s.Unit, new Dictionary<string, double>
        {
            ["repaid"] = ExperimentTests.Draw(s.Unit, "r", Rate(s.Version, s.Age)) ? 1 : 0,
        })));

        var alwaysTreatment = await team.Viewer().EvaluateOffPolicyAsync("credit-ope", new OffPolicyRequest(new Dictionary<string, double> { ["treatment"] = 1 }, Alpha: 0.01));
        Assert.Equal(600, alwaysTreatment.Decisions);
        Assert.Equal("repaid", alwaysTreatment.Metric);
        Covers(alwaysTreatment.Ips, 0.50, "IPS, always treatment");
        Covers(alwaysTreatment.SelfNormalized, 0.50, "SNIPS, always treatment");
        Covers(alwaysTreatment.DoublyRobust, 0.50, "DR, always treatment");
        // Only the 30 % logged on v2 inform "always v2": the log is worth about 0.3 × 600 on-policy decisions.
        Assert.InRange(alwaysTreatment.EffectiveSampleSize, 130, 230);
        var alwaysControl = await team.Viewer().EvaluateOffPolicyAsync("credit-ope", new OffPolicyRequest(new Dictionary<string, double> { ["control"] = 1 }, Alpha: 0.01));
        Covers(alwaysControl.DoublyRobust, 0.40, "DR, always control");
        var perAge = await team.Viewer().EvaluateOffPolicyAsync("credit-ope", new OffPolicyRequest(new Dictionary<string, double> { ["control"] = 1 },
            [new OffPolicyRule("Age", new Dictionary<string, double> { ["treatment"] = 1 }, Value: "25")], Alpha: 0.01));
        Covers(perAge.Ips, 0.55, "IPS, per age");
        Covers(perAge.SelfNormalized, 0.55, "SNIPS, per age");
        Covers(perAge.DoublyRobust, 0.55, "DR, per age");
        // The reward model (per-arm means per age) is right here, so doubly robust is tighter than IPS.
        Assert.True(perAge.DoublyRobust.StandardError < perAge.Ips.StandardError, $"DR s.e. {perAge.DoublyRobust.StandardError} vs IPS {perAge.Ips.StandardError}");
        Assert.Empty(perAge.Warnings);

        async Task<WardenApiException> BadRequest(OffPolicyRequest r)
        {
            var e = await Assert.ThrowsAsync<WardenApiException>(() => team.Viewer().EvaluateOffPolicyAsync("credit-ope", r));
            Assert.Equal(HttpStatusCode.BadRequest, e.Status);
            return e;
        }

        Assert.Contains("not an arm", (await BadRequest(new OffPolicyRequest(new Dictionary<string, double> { ["nope"] = 1 }))).Message, StringComparison.Ordinal);
        Assert.Contains("sum to 1", (await BadRequest(new OffPolicyRequest(new Dictionary<string, double> { ["control"] = 0.5 }))).Message, StringComparison.Ordinal);
        Assert.Contains("logged context feature", (await BadRequest(new OffPolicyRequest(new Dictionary<string, double> { ["control"] = 1 },
            [new OffPolicyRule("Amount", new Dictionary<string, double> { ["treatment"] = 1 }, Value: "1")]))).Message, StringComparison.Ordinal);
        await BadRequest(new OffPolicyRequest(new Dictionary<string, double> { ["control"] = 1 }, Metric: "missing"));
        var missing = await Assert.ThrowsAsync<WardenApiException>(() =>
            team.Viewer().EvaluateOffPolicyAsync("nope", new OffPolicyRequest(new Dictionary<string, double> { ["control"] = 1 })));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);

        // Context features are stored with exposures: only public features of every arm, and numeric ones for linucb.
        var noContext = await Assert.ThrowsAsync<WardenApiException>(() => team.Developer.CreateExperimentAsync(ExperimentTests.AbTest("ctx-none", ExperimentKinds.LinUcb)));
        Assert.Contains("contextFeatures", noContext.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<WardenApiException>(() =>
            team.Developer.CreateExperimentAsync(ExperimentTests.AbTest("ctx-unknown", ExperimentKinds.LinUcb) with { ContextFeatures = ["Salary"] }));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Contains("not a feature", unknown.Message, StringComparison.Ordinal);
    }
}
