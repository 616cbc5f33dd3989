using System.Text;
using System.Text.Json;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The monitoring feedback loop on the German credit model, through <c>POST /api/v1/events</c> with a fake clock:
/// a calm hour (every applicant approved, 200 of 300 labelled, a quarter of them wrongly), then a shifted hour (Age + 25,
/// Amount × 3) in which women who are not single are refused, all 300 labelled as good payers; a drift rule fires on it.</summary>
internal static class MonitoringScenario
{
    /// <summary>The group the shifted hour refuses.</summary>
    public const string RefusedGroup = "Female.NotSingle";

    /// <summary>Settings that keep the background evaluator out of the way (tests evaluate by hand).</summary>
    public static Dictionary<string, string?> Settings { get; } = new() { ["Warden:Alerts:EvaluationInterval"] = "1.00:00:00" };

    /// <summary>Applicants of the shifted hour in <see cref="RefusedGroup"/> (the accuracy of that hour is 1 − this / 300).</summary>
    public static int Refused => DriftTests.Records((_, v) => v).Count(r => (string?)r["Personal"] == RefusedGroup);

    /// <summary>Runs the scenario; returns the drift alert that fired.</summary>
    public static async Task<Alert> RunAsync(WardenTestHost host, Team team)
    {
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        await team.Developer.SetReferenceAsync("credit-risk", 1, Encoding.UTF8.GetBytes(training));
        var rule = await team.Operator.CreateAlertRuleAsync(new AlertRuleRequest("credit-risk", "drift.score", ">", 1, Name: "feature drift"));

        await team.Developer.IngestEventsAsync(Traffic("calm", (_, v) => v, _ => 0.7));
        host.Clock!.Advance(TimeSpan.FromHours(1));
        await team.Developer.IngestEventsAsync(Traffic("shifted", (c, v) => c == "Age" ? v + 25 : c == "Amount" ? v * 3 : v,
            r => (string?)r["Personal"] == RefusedGroup ? 0.2 : 0.7));

        // Labels arrive later: 200 of the calm hour (one in four a bad payer), all of the shifted hour (good payers).
        var feedback = Enumerable.Range(0, 200).Select(i => new IngestEvent("feedback", EventId: $"f-calm-{i}", RequestId: $"calm-{i}", Label: i % 4 == 0 ? 0 : 1))
            .Concat(Enumerable.Range(0, 300).Select(i => new IngestEvent("feedback", EventId: $"f-shifted-{i}", RequestId: $"shifted-{i}", Label: 1)))
            .ToList();
        var stored = await team.Developer.IngestEventsAsync(feedback);
        Assert.Equal(500, stored.Accepted);

        var evaluation = await team.Operator.EvaluateAlertsAsync();
        return Assert.Single(evaluation.Fired, a => a.RuleId == rule.Id);
    }

    private static List<IngestEvent> Traffic(string prefix, Func<string, double, double> shift, Func<IReadOnlyDictionary<string, object?>, double> score) =>
        DriftTests.Records(shift).Select((r, i) => new IngestEvent("prediction", EventId: $"{prefix}-{i}", Model: "credit-risk", Version: 1, RequestId: $"{prefix}-{i}",
            Prediction: score(r), Inputs: r.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value)))).ToList();
}
