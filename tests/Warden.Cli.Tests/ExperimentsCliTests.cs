using Microsoft.Extensions.DependencyInjection;
using Warden.Contracts;
using Warden.Server.Monitoring;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Cli.Tests;

/// <summary>`warden experiments` against a running server with two approved versions of the German credit model.</summary>
public sealed class ExperimentsCliTests : ServedCliTests
{
    [Fact]
    public async Task Create_start_results_list_and_stop_an_ab_test()
    {
        var created = await As("developer", "experiments", "create", "credit-ab", "--model", "credit", "--arm", "control=1", "--arm", "treatment=2",
            "--metric", "repaid", "--metric", "complaint:binomial:guardrail", "--native", "latency_p99<60000", "--native", "error_rate", "--mde", "0.1", "--baseline", "0.3");
        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Contains("control v1 via 'champion' 50", created.Output, StringComparison.Ordinal);
        Assert.Contains("planned", created.Output, StringComparison.Ordinal);
        var started = await As("developer", "experiments", "start", "credit-ab", "--reason", "go");
        Assert.True(started.ExitCode == 0, started.Error);
        Assert.Contains("is running", started.Output, StringComparison.Ordinal);

        var versions = new Dictionary<string, int>();
        for (var u = 0; u < 120; u++)
        {
            var answer = await Team.Developer.PredictAsync("credit", [GermanCredit.NumericColumns.ToDictionary(c => c, c => (object?)2.0)], unitId: $"c{u}");
            versions[$"c{u}"] = answer.Version;
        }

        var feedback = versions.Select(kv => new FeedbackEvent(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, "credit", null, kv.Key, null,
            new Dictionary<string, double> { ["repaid"] = int.Parse(kv.Key[1..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0 ? 1 : 0 })).ToList();
        foreach (var listener in Host.App.Services.GetServices<IFeedbackListener>())
        {
            await listener.OnFeedbackAsync(feedback, CancellationToken.None);
        }

        var results = await As("operator", "experiments", "results", "credit-ab");
        Assert.True(results.ExitCode == 0, results.Error);
        Assert.Contains("120 units", results.Output, StringComparison.Ordinal);
        Assert.Contains("SRM: ok", results.Output, StringComparison.Ordinal);
        Assert.Contains("Always-valid CI", results.Output, StringComparison.Ordinal);
        Assert.Contains("repaid", results.Output, StringComparison.Ordinal);
        Assert.Contains("Latency p99 (ms)", results.Output, StringComparison.Ordinal); // every arm's serving numbers
        Assert.Contains("latency_p99", results.Output, StringComparison.Ordinal); // the native guardrail, judged
        Assert.True(results.Output.Contains("max 60000", StringComparison.Ordinal), results.Output);
        var json = await As("operator", "experiments", "results", "credit-ab", "--json");
        Assert.Contains("\"latencyP99\"", json.Output, StringComparison.Ordinal);
        Assert.Contains("\"sequential\"", json.Output, StringComparison.Ordinal);

        var list = await As("operator", "experiments", "list", "--status", "running");
        Assert.Contains("credit-ab", list.Output, StringComparison.Ordinal);
        var stopped = await As("operator", "experiments", "stop", "credit-ab", "--reason", "enough");
        Assert.True(stopped.ExitCode == 0, stopped.Error);
        Assert.Contains("is stopped", stopped.Output, StringComparison.Ordinal);

        var badNative = await As("developer", "experiments", "create", "x", "--model", "credit", "--arm", "a=1", "--arm", "b=2", "--metric", "m", "--native", "latency_p99<fast");
        Assert.Equal(WardenCli.Failed, badNative.ExitCode);
        Assert.Contains("the limit must be a number", badNative.Error, StringComparison.Ordinal);

        var bad = await As("developer", "experiments", "create", "x", "--model", "credit", "--arm", "a=one", "--arm", "b=2", "--metric", "m");
        Assert.Equal(WardenCli.Failed, bad.ExitCode);
        Assert.Contains("version must be a number", bad.Error, StringComparison.Ordinal);
        var missing = await As("operator", "experiments", "results", "nope");
        Assert.Equal(WardenCli.Failed, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, int>> ServeAsync(string prefix, int units)
    {
        var versions = new Dictionary<string, int>();
        for (var u = 0; u < units; u++)
        {
            var answer = await Team.Developer.PredictAsync("credit", [GermanCredit.NumericColumns.ToDictionary(c => c, c => (object?)2.0)], unitId: $"{prefix}{u}");
            versions[$"{prefix}{u}"] = answer.Version;
        }

        return versions;
    }

    private async Task FeedbackAsync(IEnumerable<(string Unit, double Repaid)> outcomes)
    {
        var feedback = outcomes.Select(o => new FeedbackEvent(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, "credit", null, o.Unit, null,
            new Dictionary<string, double> { ["repaid"] = o.Repaid })).ToList();
        foreach (var listener in Host.App.Services.GetServices<IFeedbackListener>())
        {
            await listener.OnFeedbackAsync(feedback, CancellationToken.None);
        }
    }

    private static void FailsWithOneLine(CliRunner.Result result, string expected)
    {
        Assert.Equal(WardenCli.Failed, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error.Trim());
    }

    [Fact]
    public async Task Phases_evaluate_off_policy_and_promotion_proposals_from_the_command_line()
    {
        // Phases: list, a new phase with new weights, and the refusals.
        await Team.Developer.CreateExperimentAsync(new CreateExperimentRequest("credit-phases", "credit",
            [new ExperimentArmRequest("control", 1, Control: true), new ExperimentArmRequest("treatment", 2)], [new ExperimentMetric("repaid")]));
        await Team.Developer.StartExperimentAsync("credit-phases", "go");
        var phase2 = await As("developer", "experiments", "phases", "credit-phases", "--arm", "control=1:80", "--arm", "treatment=2:20", "--reason", "less risk");
        Assert.True(phase2.ExitCode == 0, phase2.Error);
        Assert.Contains("is in phase 2.", phase2.Output, StringComparison.Ordinal);
        var phases = await As("operator", "experiments", "phases", "credit-phases");
        Assert.True(phases.ExitCode == 0, phases.Error);
        Assert.Contains("less risk", phases.Output, StringComparison.Ordinal);
        Assert.Contains("treatment v2 20 %", phases.Output, StringComparison.Ordinal);
        FailsWithOneLine(await As("developer", "experiments", "phases", "credit-phases", "--arm", "control=1", "--arm", "other=2", "--reason", "rename"), "reseed");
        FailsWithOneLine(await As("developer", "experiments", "phases", "credit-phases", "--arm", "control=1", "--arm", "treatment=2"), "--reason is required");
        FailsWithOneLine(await As("developer", "experiments", "phases", "credit-phases", "--arm", "control=x", "--reason", "r"), "version must be a number");
        await Team.Developer.StopExperimentAsync("credit-phases", "done");
        await Team.Developer.ConcludeExperimentAsync("credit-phases", "phases shown");

        // A clear winner: evaluate proposes it, an approver rejects, the next evaluation proposes again, another approver accepts.
        await Team.Developer.CreateExperimentAsync(new CreateExperimentRequest("credit-win", "credit",
            [new ExperimentArmRequest("control", 1, Control: true), new ExperimentArmRequest("treatment", 2)], [new ExperimentMetric("repaid")], SequentialTuning: 300));
        await Team.Developer.StartExperimentAsync("credit-win", "go");
        var served = await ServeAsync("w", 300);
        await FeedbackAsync(served.Select(kv => (kv.Key, (Experimentation.Assignment.GrowthBookHash.Hash("r", kv.Key, 2) ?? 0) < (kv.Value == 2 ? 0.7 : 0.3) ? 1.0 : 0)));

        var offPolicy = await As("operator", "experiments", "off-policy", "credit-win", "--policy", "treatment=1");
        Assert.True(offPolicy.ExitCode == 0, offPolicy.Error);
        Assert.Contains("300 logged decisions", offPolicy.Output, StringComparison.Ordinal);
        Assert.Contains("Doubly robust", offPolicy.Output, StringComparison.Ordinal);
        var offPolicyJson = await As("operator", "experiments", "off-policy", "credit-win", "--policy", "control=0.5,treatment=0.5", "--json");
        Assert.Contains("\"selfNormalized\"", offPolicyJson.Output, StringComparison.Ordinal);
        FailsWithOneLine(await As("operator", "experiments", "off-policy", "credit-win", "--policy", "treatment=abc"), "not a probability");
        FailsWithOneLine(await As("operator", "experiments", "off-policy", "credit-win", "--policy", "nope=1"), "not an arm");
        FailsWithOneLine(await As("operator", "experiments", "off-policy", "credit-win", "--policy", "control=1", "--when", "Age<40:treatment=1"), "context feature");
        FailsWithOneLine(await As("operator", "experiments", "off-policy", "credit-win", "--policy", "control=1", "--when", "Age"), "expected FEATURE=VALUE");

        var evaluated = await As("operator", "experiments", "evaluate", "credit-win");
        Assert.True(evaluated.ExitCode == 0, evaluated.Error);
        Assert.Contains("credit-win: proposed", evaluated.Output, StringComparison.Ordinal);
        var pending = Assert.Single(await Team.Operator.ListPromotionProposalsAsync("pending"));
        Assert.Contains(pending.Id, evaluated.Output, StringComparison.Ordinal);
        var listed = await As("operator", "experiments", "proposals", "--status", "pending");
        Assert.True(listed.ExitCode == 0, listed.Error);
        Assert.Contains(pending.Id, listed.Output, StringComparison.Ordinal);
        Assert.Contains("v2 → champion", listed.Output, StringComparison.Ordinal);

        FailsWithOneLine(await As("developer", "experiments", "accept", pending.Id, "--comment", "mine"), "Permission denied");
        var rejected = await As("approver1", "experiments", "reject", pending.Id, "--comment", "wait for a second quarter");
        Assert.True(rejected.ExitCode == 0, rejected.Error);
        Assert.Contains("is rejected", rejected.Output, StringComparison.Ordinal);
        FailsWithOneLine(await As("approver1", "experiments", "accept", pending.Id, "--comment", "changed my mind"), "rejected");

        await As("operator", "experiments", "evaluate", "credit-win");
        var second = Assert.Single(await Team.Operator.ListPromotionProposalsAsync("pending"));
        var accepted = await As("approver2", "experiments", "accept", second.Id, "--comment", "evidence reviewed");
        Assert.True(accepted.ExitCode == 0, accepted.Error);
        Assert.Contains("is accepted", accepted.Output, StringComparison.Ordinal);
        Assert.Equal(ExperimentStatuses.Concluded, (await Team.Operator.GetExperimentAsync("credit-win")).Status);
        var all = await As("operator", "experiments", "proposals", "--json");
        Assert.Contains("\"rejected\"", all.Output, StringComparison.Ordinal);
        FailsWithOneLine(await As("approver1", "experiments", "reject", "p_missing", "--comment", "x"), "does not exist");
    }
}
