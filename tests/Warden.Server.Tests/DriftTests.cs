using System.Globalization;
using Warden.Contracts;
using Warden.Inference;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Live traffic profiled per window and compared with the version's reference: shifting Age and Amount in the
/// traffic is named as drift, those two features first; unshifted traffic is not.</summary>
public sealed class DriftTests
{
    /// <summary>The German-credit hold-out rows (700 on) as prediction records, numeric columns passed through <paramref name="shift"/>.</summary>
    internal static List<IReadOnlyDictionary<string, object?>> Records(Func<string, double, double> shift)
    {
        var table = CsvTable.Parse(GermanCredit.Csv);
        var numeric = new HashSet<string>(["Duration", "Amount", "InstallmentRatePercentage", "ResidenceDuration", "Age", "NumberExistingCredits",
            "NumberPeopleMaintenance", "Telephone", "ForeignWorker"]);
        string[] categorical = ["CheckingAccountStatus", "CreditHistory", "Purpose", "SavingsAccountBonds", "EmploymentDuration", "Personal", "Housing"];
        return table.Rows.Skip(700).Select(row => (IReadOnlyDictionary<string, object?>)numeric.Concat(categorical).ToDictionary(
            c => c,
            c => numeric.Contains(c) ? shift(c, double.Parse(row[table.IndexOf(c)], CultureInfo.InvariantCulture)) : (object?)row[table.IndexOf(c)])).ToList();
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Shifted_age_and_amount_are_named_first_and_unshifted_traffic_does_not_drift(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine, fakeClock: true);
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        var reference = await team.Developer.SetReferenceAsync("credit-risk", 1, System.Text.Encoding.UTF8.GetBytes(training));
        Assert.Equal(700, reference.Rows);

        // Unshifted hold-out traffic first.
        foreach (var chunk in Records((_, v) => v).Chunk(100))
        {
            await team.Developer.PredictAsync("credit-risk", chunk);
        }

        var calm = await team.Validator.GetDriftAsync("credit-risk", 1);
        Assert.Equal(300, calm.Predictions);
        Assert.DoesNotContain(calm.Features, f => f.Drifted && f.Feature is "Age" or "Amount");
        Assert.False(calm.DatasetDrift);

        // An hour later (the next window), an older, richer population: Age + 25 years, Amount × 3.
        host.Clock!.Advance(TimeSpan.FromHours(1));
        foreach (var chunk in Records((c, v) => c == "Age" ? v + 25 : c == "Amount" ? v * 3 : v).Chunk(100))
        {
            await team.Developer.PredictAsync("credit-risk", chunk);
        }

        var shifted = await team.Validator.GetDriftAsync("credit-risk", 1);
        Assert.Equal(300, shifted.Predictions);
        Assert.True(shifted.WindowStart > calm.WindowStart);
        Assert.Equal(["Age", "Amount"], shifted.Features.Take(2).Select(f => f.Feature).Order());
        Assert.All(shifted.Features.Take(2), f => Assert.True(f.Drifted));

        // The model's output is profiled too: the reference data's scores against the served ones.
        Assert.NotNull(calm.PredictionDrift);
        Assert.NotNull(shifted.PredictionDrift);
        Assert.Equal(700, shifted.PredictionDrift.ReferenceCount);
        Assert.Equal(300, shifted.PredictionDrift.WindowCount);
        Assert.Equal("output", shifted.PredictionDrift.Kind);
        Assert.True(shifted.PredictionDrift.Statistic > calm.PredictionDrift.Statistic,
            $"shifted {shifted.PredictionDrift.Statistic} vs calm {calm.PredictionDrift.Statistic}");
        Assert.True(shifted.Features.Count(f => f.Drifted) < shifted.Features.Count / 2, string.Join("; ", shifted.Features.Select(f => $"{f.Feature} {f.Method} {f.Statistic:0.###} p={f.PValue:0.####} {f.Drifted}")));
    }

    [Fact]
    public async Task Broken_correlations_show_as_multivariate_drift_when_no_single_feature_drifts()
    {
        await using var host = await WardenTestHost.StartAsync(fakeClock: true);
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        await team.Developer.SetReferenceAsync("credit-risk", 1, System.Text.Encoding.UTF8.GetBytes(training));
        var records = Records((_, v) => v);
        foreach (var chunk in records.Chunk(100))
        {
            await team.Developer.PredictAsync("credit-risk", chunk);
        }

        var calm = await team.Validator.GetDriftAsync("credit-risk", 1);
        Assert.NotNull(calm.Multivariate);
        Assert.False(calm.Multivariate.Drifted, $"calm error {calm.Multivariate.ReconstructionError} vs [{calm.Multivariate.LowerThreshold}, {calm.Multivariate.UpperThreshold}]");
        Assert.Equal(300, calm.Multivariate.Rows);

        // Next hour: the same values, but Amount and Duration (strongly related in credit data) reversed against each
        // other — every marginal distribution is the one just seen, their relation is not.
        host.Clock!.Advance(TimeSpan.FromHours(1));
        var amounts = records.Select(r => (double)r["Amount"]!).Order().ToList();
        var durations = records.Select(r => (double)r["Duration"]!).OrderDescending().ToList();
        var order = records.Select((r, i) => (r, i)).OrderBy(x => (double)x.r["Amount"]!).Select(x => x.i).ToList();
        var broken = records.Select(r => new Dictionary<string, object?>(r)).ToList();
        for (var k = 0; k < order.Count; k++)
        {
            broken[order[k]]["Amount"] = amounts[k];
            broken[order[k]]["Duration"] = durations[k];
        }

        foreach (var chunk in broken.Chunk(100))
        {
            await team.Developer.PredictAsync("credit-risk", chunk.Select(d => (IReadOnlyDictionary<string, object?>)d).ToList());
        }

        var shifted = await team.Validator.GetDriftAsync("credit-risk", 1);
        Assert.True(shifted.Multivariate!.Drifted, $"error {shifted.Multivariate.ReconstructionError} vs upper {shifted.Multivariate.UpperThreshold}");
        Assert.True(shifted.Multivariate.ReconstructionError > calm.Multivariate.ReconstructionError);
        Assert.DoesNotContain(shifted.Features, f => f.Drifted && f.Feature is "Amount" or "Duration");
    }

    [Fact]
    public async Task A_segmented_model_reports_drift_per_segment()
    {
        await using var host = await WardenTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Warden:Monitoring:SegmentBy:credit-risk"] = "Housing" });
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        await team.Developer.SetReferenceAsync("credit-risk", 1, System.Text.Encoding.UTF8.GetBytes(training));

        // Only tenants ("rent") are much older than the reference; owners are as before.
        var records = Records((_, v) => v).Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>(r)
        {
            ["Age"] = (string?)r["Housing"] == "Rent" ? (double)r["Age"]! + 30 : r["Age"],
        }).ToList();
        foreach (var chunk in records.Chunk(100))
        {
            await team.Developer.PredictAsync("credit-risk", chunk);
        }

        var rent = await team.Validator.GetDriftAsync("credit-risk", 1, null, null, "Rent");
        Assert.Equal("Housing=Rent", rent.Segment);
        Assert.Equal(records.Count(r => (string?)r["Housing"] == "Rent"), rent.Predictions);
        Assert.True(rent.Features.Single(f => f.Feature == "Age").Drifted);
        Assert.Contains("Own", rent.Segments!);
        var own = await team.Validator.GetDriftAsync("credit-risk", 1, null, null, "Own");
        Assert.False(own.Features.Single(f => f.Feature == "Age").Drifted);
        var unknown = await Assert.ThrowsAsync<Warden.Client.WardenApiException>(() => team.Validator.GetDriftAsync("credit-risk", 1, null, null, "Castle"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.Status);
        Assert.Contains("Rent", unknown.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_tests_and_thresholds_are_configurable_per_model_and_feature()
    {
        await using var host = await WardenTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Warden:Monitoring:Drift:credit-risk:Age:Method"] = "PopulationStabilityIndex",
            ["Warden:Monitoring:Drift:credit-risk:Age:Threshold"] = "0.25",
            ["Warden:Monitoring:Drift:credit-risk:*:Threshold"] = "0.01",
            ["Warden:Monitoring:Drift:credit-risk:Purpose:Method"] = "JensenShannon",
        });
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        await team.Developer.SetReferenceAsync("credit-risk", 1, System.Text.Encoding.UTF8.GetBytes(training));
        foreach (var chunk in Records((_, v) => v).Chunk(100))
        {
            await team.Developer.PredictAsync("credit-risk", chunk);
        }

        var report = await team.Validator.GetDriftAsync("credit-risk", 1);
        var age = report.Features.Single(f => f.Feature == "Age");
        Assert.Equal("PopulationStabilityIndex", age.Method);
        Assert.Equal(0.25, age.Threshold);
        var purpose = report.Features.Single(f => f.Feature == "Purpose");
        Assert.Equal("JensenShannon", purpose.Method);
        Assert.Equal(0.1, purpose.Threshold, 12); // its own entry replaces "*": the method's default threshold
        var amount = report.Features.Single(f => f.Feature == "Amount");
        Assert.Equal("KolmogorovSmirnov", amount.Method); // the default choice, with the model's "*" threshold
        Assert.Equal(0.01, amount.Threshold);
    }

    [Fact]
    public async Task A_misconfigured_drift_setting_stops_the_server_at_start()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => WardenTestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Warden:Monitoring:Drift:m:Age:Method"] = "Vibes" }));
        Assert.Contains("DriftMethod", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_needs_a_reference_and_traffic()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var noReference = await Assert.ThrowsAsync<Warden.Client.WardenApiException>(() => team.Validator.GetDriftAsync("credit-risk", 1));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, noReference.Status);
        var bad = await Assert.ThrowsAsync<Warden.Client.WardenApiException>(() =>
            team.Developer.SetReferenceAsync("credit-risk", 1, "Age,Amount\n30,1000\n"u8.ToArray()));
        Assert.Contains("lacks the feature", bad.Detail, StringComparison.Ordinal);
        await team.Developer.SetReferenceAsync("credit-risk", 1, System.Text.Encoding.UTF8.GetBytes(GermanCredit.Csv));
        var noTraffic = await Assert.ThrowsAsync<Warden.Client.WardenApiException>(() => team.Validator.GetDriftAsync("credit-risk", 1));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, noTraffic.Status);
    }
}
