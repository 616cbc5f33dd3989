using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Data quality of a window against the reference: out-of-range values, unseen categories, masked examples.</summary>
public sealed class DataQualityTests
{
    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Out_of_range_ages_and_an_unseen_purpose_are_counted_and_their_examples_masked(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        await team.Developer.SetReferenceAsync("credit-risk", 1, System.Text.Encoding.UTF8.GetBytes(training));

        // 100 hold-out rows: the first 30 with Age + 100 (older than anyone in the reference), 10 with a purpose never seen.
        var records = DriftTests.Records((_, v) => v).Take(100).Select((r, i) =>
        {
            var copy = new Dictionary<string, object?>(r);
            if (i < 30)
            {
                copy["Age"] = (double)copy["Age"]! + 100;
            }

            if (i is >= 50 and < 60)
            {
                copy["Purpose"] = "Spaceship";
            }

            return (IReadOnlyDictionary<string, object?>)copy;
        }).ToList();
        foreach (var chunk in records.Chunk(50))
        {
            await team.Developer.PredictAsync("credit-risk", chunk);
        }

        var report = await team.Validator.GetQualityAsync("credit-risk", 1);
        Assert.Equal(100, report.Predictions);
        Assert.Equal(2, report.FeaturesWithIssues);
        Assert.Equal(["Age", "Purpose"], report.Features.Take(2).Select(f => f.Feature));

        var age = report.Features[0];
        Assert.Equal(0, age.BelowRange);
        Assert.True(age.Exact);
        Assert.Equal(30, age.AboveRange);
        Assert.Contains("30 value(s) (30.0 %) outside the reference range", age.Issues.Single(), StringComparison.Ordinal);
        var purpose = report.Features[1];
        Assert.Equal(10, purpose.UnseenRows);
        Assert.Equal(1, purpose.UnseenCategories);
        Assert.Contains("the reference never saw", purpose.Issues.Single(), StringComparison.Ordinal);

        // Unclassified features count as personal: the examples are pseudonyms, never the raw values.
        var example = Assert.Single(purpose.Examples);
        Assert.NotEqual("Spaceship", example);
        Assert.DoesNotContain("Spaceship", example, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(age.Examples, e => e.Contains(((double)records.Take(30).Max(r => (double)r["Age"]!)).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        // Everything else is healthy: no missing values, nothing out of range.
        Assert.All(report.Features.Skip(2), f => Assert.Empty(f.Issues));
        Assert.All(report.Features, f => Assert.Equal(0, f.Missing));
    }
}
