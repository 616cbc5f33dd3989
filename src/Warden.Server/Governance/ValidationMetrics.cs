using Warden.Contracts;

namespace Warden.Server.Governance;

/// <summary>Validation metrics with scikit-learn's definitions (checked against its values in the tests), and fairness
/// with fairlearn's: demographic parity ratio (min/max selection rate) and equal opportunity difference (max − min TPR).</summary>
public static class ValidationMetrics
{
    /// <summary>Binary classification metrics at <paramref name="threshold"/>; precision and recall are 0 when undefined
    /// (scikit-learn's zero_division=0), ROC AUC is NaN when only one class is present.</summary>
    public static (Dictionary<string, double> Metrics, long[][] Confusion) Classification(IReadOnlyList<int> truth, IReadOnlyList<double> scores, double threshold = 0.5)
    {
        long tp = 0, tn = 0, fp = 0, fn = 0;
        double logLoss = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            var predicted = scores[i] >= threshold;
            var actual = truth[i] == 1;
            if (predicted && actual) tp++;
            else if (predicted) fp++;
            else if (actual) fn++;
            else tn++;
            var p = Math.Clamp(scores[i], 2.220446049250313e-16, 1 - 2.220446049250313e-16);
            logLoss -= actual ? Math.Log(p) : Math.Log(1 - p);
        }

        var n = truth.Count;
        var precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
        var recall = tp + fn == 0 ? 0 : tp / (double)(tp + fn);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["accuracy"] = n == 0 ? double.NaN : (tp + tn) / (double)n,
            ["precision"] = precision,
            ["recall"] = recall,
            ["f1"] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            ["roc_auc"] = RocAuc(truth, scores),
            ["log_loss"] = n == 0 ? double.NaN : logLoss / n,
        };
        return (metrics, [[tn, fp], [fn, tp]]);
    }

    /// <summary>Area under the ROC curve by the Mann–Whitney U statistic with average ranks for ties (equal to the
    /// trapezoidal area scikit-learn computes).</summary>
    public static double RocAuc(IReadOnlyList<int> truth, IReadOnlyList<double> scores)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var average = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = average;
            }

            i = j + 1;
        }

        long positives = truth.Count(t => t == 1);
        long negatives = truth.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        var rankSum = Enumerable.Range(0, truth.Count).Where(i => truth[i] == 1).Sum(i => ranks[i]);
        return (rankSum - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }

    /// <summary>MAE, RMSE and R² (scikit-learn's r2_score).</summary>
    public static Dictionary<string, double> Regression(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        var n = truth.Count;
        var mean = truth.Average();
        double absolute = 0, squared = 0, total = 0;
        for (var i = 0; i < n; i++)
        {
            var e = truth[i] - predicted[i];
            absolute += Math.Abs(e);
            squared += e * e;
            total += (truth[i] - mean) * (truth[i] - mean);
        }

        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["mae"] = absolute / n,
            ["rmse"] = Math.Sqrt(squared / n),
            ["r2"] = total == 0 ? double.NaN : 1 - (squared / total),
        };
    }

    /// <summary>Selection rate and true positive rate per group; demographic parity ratio and equal opportunity difference.</summary>
    public static FairnessResult Fairness(string attribute, IReadOnlyList<string> groups, IReadOnlyList<int> truth, IReadOnlyList<double> scores, double threshold = 0.5)
    {
        var rates = groups.Select((g, i) => (g, i)).GroupBy(x => x.g, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var members = g.Select(x => x.i).ToList();
                var selected = members.Count(i => scores[i] >= threshold);
                var positives = members.Where(i => truth[i] == 1).ToList();
                double? tpr = positives.Count == 0 ? null : positives.Count(i => scores[i] >= threshold) / (double)positives.Count;
                return new GroupRates(g.Key, members.Count, selected / (double)members.Count, tpr);
            })
            .ToList();
        var selection = rates.Select(r => r.SelectionRate).ToList();
        var tprs = rates.Where(r => r.TruePositiveRate is not null).Select(r => r.TruePositiveRate!.Value).ToList();
        var ratio = selection.Max() == 0 ? 1 : selection.Min() / selection.Max();
        var difference = tprs.Count == 0 ? 0 : tprs.Max() - tprs.Min();
        return new FairnessResult(attribute, rates, ratio, difference);
    }

    /// <summary>The group name of a value of a sensitive attribute: the value itself, or its bin ("&lt; 25", "≥ 25").</summary>
    public static string GroupOf(string value, IReadOnlyList<double>? bins)
    {
        if (bins is null || bins.Count == 0)
        {
            return value;
        }

        if (!double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x))
        {
            return "missing";
        }

        var edges = bins.Order().ToList();
        for (var i = 0; i < edges.Count; i++)
        {
            if (x < edges[i])
            {
                return i == 0
                    ? $"< {edges[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}"
                    : $"[{edges[i - 1].ToString(System.Globalization.CultureInfo.InvariantCulture)}, {edges[i].ToString(System.Globalization.CultureInfo.InvariantCulture)})";
            }
        }

        return $"≥ {edges[^1].ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
