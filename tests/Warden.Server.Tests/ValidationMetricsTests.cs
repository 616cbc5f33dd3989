using System.Text.Json;
using Warden.Inference;
using Warden.Server.Governance;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Validation metrics against scikit-learn, fairness against fairlearn's definitions, and ONNX Runtime's scores
/// against scikit-learn's predict_proba — all from Fixtures/metrics.json (made by Fixtures/make_fixtures.py).</summary>
public sealed class ValidationMetricsTests
{
    private const double Tolerance = 1e-12;
    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(GermanCredit.Fixture("metrics.json"))).RootElement;

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    [Fact]
    public void Classification_metrics_match_scikit_learn()
    {
        var c = Fixture.GetProperty("classification");
        var truth = c.GetProperty("y_true").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var (metrics, confusion) = ValidationMetrics.Classification(truth, Doubles(c.GetProperty("y_score")), c.GetProperty("threshold").GetDouble());
        foreach (var name in new[] { "accuracy", "precision", "recall", "f1", "roc_auc", "log_loss" })
        {
            Assert.Equal(c.GetProperty(name).GetDouble(), metrics[name], Tolerance);
        }

        var expected = c.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
        Assert.Equal(expected, confusion);
    }

    [Fact]
    public void Regression_metrics_match_scikit_learn()
    {
        var r = Fixture.GetProperty("regression");
        var metrics = ValidationMetrics.Regression(Doubles(r.GetProperty("y_true")), Doubles(r.GetProperty("y_pred")));
        foreach (var name in new[] { "mae", "rmse", "r2" })
        {
            Assert.Equal(r.GetProperty(name).GetDouble(), metrics[name], Tolerance);
        }
    }

    [Fact]
    public void Fairness_matches_fairlearn_definitions()
    {
        var c = Fixture.GetProperty("classification");
        var f = Fixture.GetProperty("fairness");
        var truth = c.GetProperty("y_true").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var groups = f.GetProperty("groups").EnumerateArray().Select(x => x.GetString()!).ToArray();
        var result = ValidationMetrics.Fairness("group", groups, truth, Doubles(c.GetProperty("y_score")));
        Assert.Equal(f.GetProperty("demographic_parity_ratio").GetDouble(), result.DisparateImpact, Tolerance);
        Assert.Equal(f.GetProperty("equal_opportunity_difference").GetDouble(), result.EqualOpportunityDifference, Tolerance);
        foreach (var g in result.Groups)
        {
            Assert.Equal(f.GetProperty("selection_rate").GetProperty(g.Group).GetDouble(), g.SelectionRate, Tolerance);
            Assert.Equal(f.GetProperty("true_positive_rate").GetProperty(g.Group).GetDouble(), g.TruePositiveRate!.Value, Tolerance);
        }
    }

    [Fact]
    public void Ties_in_scores_give_the_average_rank_auc()
    {
        Assert.Equal(0.5, ValidationMetrics.RocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), Tolerance);
        Assert.Equal(0.875, ValidationMetrics.RocAuc([0, 0, 1, 1], [0.1, 0.4, 0.4, 0.8]), Tolerance); // 3.5 of 4 pairs ordered, the tie counting half
        Assert.True(double.IsNaN(ValidationMetrics.RocAuc([1, 1], [0.2, 0.3])));
    }

    [Fact]
    public void Numeric_sensitive_attributes_are_binned()
    {
        Assert.Equal("< 25", ValidationMetrics.GroupOf("22", [25]));
        Assert.Equal("≥ 25", ValidationMetrics.GroupOf("25", [25]));
        Assert.Equal("[25, 60)", ValidationMetrics.GroupOf("40", [60, 25]));
        Assert.Equal("Male.Single", ValidationMetrics.GroupOf("Male.Single", null));
    }

    [Fact]
    public void Onnx_runtime_scores_match_scikit_learn_on_the_holdout()
    {
        var expected = Doubles(Fixture.GetProperty("onnx_expected").GetProperty("probability"));
        using var model = ModelRuntime.Load(GermanCredit.OnnxModel,
            GermanCredit.NumericColumns.Select(c => new Warden.Contracts.FeatureSpec(c, "numeric", "float32")).ToList());
        var scores = model.Score(CsvTable.Parse(System.Text.Encoding.UTF8.GetString(GermanCredit.HoldoutCsv())));
        Assert.Equal(expected.Length, scores.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], scores[i], 1e-5); // float32 arithmetic in the graph
        }
    }
}
