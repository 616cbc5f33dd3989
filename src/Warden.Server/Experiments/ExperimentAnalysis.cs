using Warden.Contracts;
using Warden.Experimentation.Analysis;

namespace Warden.Server.Experiments;

/// <summary>A unit's first exposure (a row of <c>experiment_exposures</c>).</summary>
internal sealed class Exposure
{
    public string UnitId { get; set; } = "";
    public int Arm { get; set; }
    public int Period { get; set; }
    public int Phase { get; set; }
    public long FirstSeenAt { get; set; }

    /// <summary>The probability with which the arm was chosen (null in rows written before it was logged).</summary>
    public double? Propensity { get; set; }

    /// <summary>The context features' values at the first exposure (JSON object), when the experiment logs them.</summary>
    public string? Context { get; set; }
}

/// <summary>One stored outcome value of a unit (a row of <c>experiment_observations</c>).</summary>
internal sealed class Observation
{
    public string UnitId { get; set; } = "";
    public string Name { get; set; } = "";
    public double Value { get; set; }
    public long At { get; set; }
}

/// <summary>Turns exposures and outcomes into per-arm, per-metric results with Warden.Experimentation: per-unit values
/// (capped where the metric says), sufficient statistics, Welch / two-proportion tests, always-valid sequential intervals,
/// Bayesian chance to beat control, CUPED when a covariate is configured, SRM, and Holm / Benjamini–Hochberg adjustment
/// across metrics and arms. Pure: no I/O, so the timeline can recompute it at earlier cut-offs.</summary>
internal static class ExperimentAnalysis
{
    /// <summary>Everything the analysis needs.</summary>
    internal sealed record Input(
        IReadOnlyList<ExperimentArm> Arms,
        IReadOnlyList<ExperimentMetric> Metrics,
        double Alpha,
        double SequentialTuning,
        IReadOnlyList<double> ExpectedShares,
        IReadOnlyList<Exposure> Exposures,
        IReadOnlyList<Observation> Observations);

    /// <summary>The statistics of one metric in one arm, before comparison.</summary>
    internal sealed record ArmStatistic(MetricStatistic Statistic, double Mean, double? StandardDeviation);

    public static (IReadOnlyList<ArmSummary> Arms, SrmCheck? Srm, IReadOnlyList<MetricResult> Metrics, string? Winner, IReadOnlyList<string> Breaches) Compute(
        Input input, long? cutoff = null)
    {
        var exposures = cutoff is null ? input.Exposures : input.Exposures.Where(e => e.FirstSeenAt <= cutoff).ToList();
        var byUnit = Outcomes(input.Observations, cutoff);
        var units = new List<string>[input.Arms.Count];
        for (var a = 0; a < units.Length; a++)
        {
            units[a] = [];
        }

        foreach (var e in exposures.Where(e => e.Arm >= 0 && e.Arm < input.Arms.Count))
        {
            units[e.Arm].Add(e.UnitId);
        }

        var control = Control(input.Arms);
        var arms = input.Arms.Select((a, i) => new ArmSummary(a.Name, a.Version, a.Control, units[i].Count, a.Weight)).ToList();
        SrmCheck? srm = null;
        var observed = units.Select(u => (long)u.Count).ToArray();
        if (observed.Sum() > 0 && input.ExpectedShares.All(w => w > 0))
        {
            var test = SampleRatioMismatch.Test(observed, input.ExpectedShares);
            srm = new SrmCheck(observed, input.ExpectedShares, test.ChiSquared, test.PValue, test.IsMismatch);
        }

        var metrics = new List<MetricResult>();
        var pending = new List<(int Metric, int Arm, double P)>();
        foreach (var metric in input.Metrics)
        {
            var (stats, cuped, theta) = Statistics(metric, units, byUnit, control);
            var rows = new List<ArmMetricResult>();
            for (var a = 0; a < input.Arms.Count; a++)
            {
                var s = stats[a];
                if (a == control)
                {
                    rows.Add(new ArmMetricResult(input.Arms[a].Name, s.Statistic.N, s.Mean, s.StandardDeviation, null, null, null, null, null, null, null, null));
                    continue;
                }

                var row = Compare(input.Arms[a].Name, metric, stats[control], s, input.Alpha, input.SequentialTuning);
                if (row.Relative is { } r && row.Problem is null)
                {
                    pending.Add((metrics.Count, rows.Count, r.PValue));
                }

                rows.Add(row);
            }

            metrics.Add(new MetricResult(metric.Name, metric.Kind, metric.Role, metric.Inverse, cuped, theta, rows));
        }

        if (pending.Count > 0)
        {
            var holm = MultipleTesting.Holm(pending.Select(p => p.P).ToList());
            var bh = MultipleTesting.BenjaminiHochberg(pending.Select(p => p.P).ToList());
            for (var i = 0; i < pending.Count; i++)
            {
                var (m, a, _) = pending[i];
                var rows = metrics[m].Arms.ToList();
                rows[a] = rows[a] with { PValueHolm = holm[i], PValueBenjaminiHochberg = bh[i] };
                metrics[m] = metrics[m] with { Arms = rows };
            }
        }

        var breaches = new List<string>();
        foreach (var m in metrics.Where(m => m.Role == MetricRoles.Guardrail))
        {
            // Judged on the difference of means: relative lifts of rare events (complaints, defaults) are too noisy to stop on.
            foreach (var a in m.Arms.Where(a => a.SequentialAbsolute is { } s && s.PValue < input.Alpha && Worse(m.Inverse, s.Estimate)))
            {
                var s = a.SequentialAbsolute!;
                breaches.Add($"{m.Metric} is significantly worse in {a.Arm}: {a.Mean:G4} against {m.Arms.First(x => x.Absolute is null).Mean:G4} in control " +
                             $"(difference {s.Estimate:G3}, always-valid interval [{s.CiLower:G3}, {s.CiUpper:G3}], p = {s.PValue:G3})");
            }
        }

        string? winner = null;
        var primary = metrics.FirstOrDefault(m => m.Role == MetricRoles.Primary);
        if (primary is not null && srm?.Mismatch != true && breaches.Count == 0)
        {
            // Sequential p-values are valid under continuous monitoring; Holm across the treatment arms keeps the family-wise error.
            var treatments = primary.Arms.Where(a => a.Sequential is not null && a.Problem is null).ToList();
            var adjusted = MultipleTesting.Holm(treatments.Select(a => a.Sequential!.PValue).ToList());
            winner = treatments.Select((a, i) => (Arm: a, P: adjusted[i]))
                .Where(x => x.P < input.Alpha && !Worse(primary.Inverse, x.Arm.Sequential!.Estimate) && x.Arm.Sequential.Estimate != 0)
                .OrderByDescending(x => primary.Inverse ? -x.Arm.Sequential!.Estimate : x.Arm.Sequential!.Estimate)
                .Select(x => x.Arm.Arm).FirstOrDefault();
        }

        return (arms, srm, metrics, winner, breaches);
    }

    /// <summary>The index of the control arm.</summary>
    public static int Control(IReadOnlyList<ExperimentArm> arms)
    {
        for (var i = 0; i < arms.Count; i++)
        {
            if (arms[i].Control)
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>Per-unit value of a metric (before capping) — the bandit uses the same definition.</summary>
    public static double UnitValue(ExperimentMetric metric, Dictionary<string, double>? outcomes)
    {
        var sum = Sum(outcomes, metric.Name);
        return metric.Kind == MetricKinds.Binomial ? (sum > 0 ? 1 : 0) : sum;
    }

    /// <summary>Sums of each unit's values by name, up to the cut-off.</summary>
    public static Dictionary<string, Dictionary<string, double>> Outcomes(IReadOnlyList<Observation> observations, long? cutoff = null)
    {
        var byUnit = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (var o in observations)
        {
            if (cutoff is not null && o.At > cutoff)
            {
                continue;
            }

            if (!byUnit.TryGetValue(o.UnitId, out var values))
            {
                byUnit[o.UnitId] = values = new Dictionary<string, double>(StringComparer.Ordinal);
            }

            values[o.Name] = values.GetValueOrDefault(o.Name) + o.Value;
        }

        return byUnit;
    }

    private static bool Worse(bool inverse, double estimate) => inverse ? estimate > 0 : estimate < 0;

    private static double Sum(Dictionary<string, double>? outcomes, string name) => outcomes is not null && outcomes.TryGetValue(name, out var v) ? v : 0;

    private static (ArmStatistic[] Stats, bool Cuped, double? Theta) Statistics(ExperimentMetric metric, List<string>[] units,
        Dictionary<string, Dictionary<string, double>> byUnit, int control)
    {
        var values = units.Select(u => u.Select(id => UnitValue(metric, byUnit.GetValueOrDefault(id))).ToArray()).ToArray();
        double? upper = metric.CapUpper;
        if (metric.CapQuantile is { } q && metric.Kind != MetricKinds.Binomial)
        {
            var pooled = values.SelectMany(v => v).ToArray();
            upper = pooled.Length > 0 ? Winsorizer.Quantile(pooled, q) : null;
        }

        if (upper is { } cap && metric.Kind != MetricKinds.Binomial)
        {
            values = values.Select(v => Winsorizer.Cap(v, cap)).ToArray();
        }

        var stats = new ArmStatistic[units.Length];
        if (metric.Kind == MetricKinds.Ratio)
        {
            for (var a = 0; a < units.Length; a++)
            {
                var den = units[a].Select(id => Sum(byUnit.GetValueOrDefault(id), metric.Denominator!)).ToArray();
                var s = RatioStatistic.FromValues(values[a], den);
                stats[a] = new ArmStatistic(s, s.Mean, null);
            }

            return (stats, false, null);
        }

        var hasCovariate = metric.Covariate is { } c && units.Any(u => u.Any(id => byUnit.GetValueOrDefault(id)?.ContainsKey(c) == true));
        if (hasCovariate && units.Length >= 2)
        {
            var cuped = new CupedStatistic[units.Length];
            for (var a = 0; a < units.Length; a++)
            {
                var pre = units[a].Select(id => Sum(byUnit.GetValueOrDefault(id), metric.Covariate!)).ToArray();
                cuped[a] = CupedStatistic.FromValues(values[a], pre);
            }

            // θ is estimated on control and each treatment together; with several treatments, on control and the first.
            var theta = Cuped.PooledTheta(cuped[control], cuped[control == 0 ? 1 : 0]);
            for (var a = 0; a < units.Length; a++)
            {
                var s = cuped[a] with { Theta = theta };
                stats[a] = new ArmStatistic(s, s.UnadjustedMean, Sd(s.Post));
            }

            return (stats, true, theta);
        }

        for (var a = 0; a < units.Length; a++)
        {
            SummableStatistic s = metric.Kind == MetricKinds.Binomial
                ? new ProportionStatistic(values[a].Length, values[a].Sum())
                : MeanStatistic.FromValues(values[a]);
            stats[a] = new ArmStatistic(s, s.Mean, Sd(s));
        }

        return (stats, false, null);
    }

    private static double? Sd(MetricStatistic s) => s.N < 2 ? null : Math.Sqrt(s.Variance);

    private static ArmMetricResult Compare(string arm, ExperimentMetric metric, ArmStatistic control, ArmStatistic treatment, double alpha, double tuning)
    {
        var c = control.Statistic;
        var t = treatment.Statistic;
        var empty = new ArmMetricResult(arm, t.N, treatment.Mean, treatment.StandardDeviation, null, null, null, null, null, null, null, null);
        if (c.N < 2 || t.N < 2)
        {
            return empty with { Problem = "needs at least two units in control and in this arm" };
        }

        try
        {
            LiftEstimate absolute;
            if (metric.Kind == MetricKinds.Binomial && c is ProportionStatistic pc && t is ProportionStatistic pt)
            {
                var z = FrequentistTests.TwoProportionZTest((long)pc.Successes, pc.N, (long)pt.Successes, pt.N, Alternative.TwoSided, alpha);
                absolute = new LiftEstimate(z.Difference, z.CiLower, z.CiUpper, double.IsNaN(z.PValue) ? 1 : z.PValue);
            }
            else
            {
                absolute = Lift(FrequentistTests.WelchTTest(c, t, new FrequentistOptions { Alpha = alpha, Difference = DifferenceType.Absolute }));
            }

            var relativeTest = FrequentistTests.WelchTTest(c, t, new FrequentistOptions { Alpha = alpha, Difference = DifferenceType.Relative });
            var sequential = SequentialTests.Test(c, t, new SequentialOptions { Alpha = alpha, Difference = DifferenceType.Relative, TuningParameter = tuning });
            var sequentialAbsolute = SequentialTests.Test(c, t, new SequentialOptions { Alpha = alpha, Difference = DifferenceType.Absolute, TuningParameter = tuning });
            var bayes = BayesianTests.Test(c, t, new BayesianOptions { Alpha = alpha, Difference = DifferenceType.Relative, Inverse = metric.Inverse });
            var problem = relativeTest.Effect.Problem;
            return empty with
            {
                Absolute = absolute,
                Relative = problem is null ? Lift(relativeTest) : null,
                Sequential = problem is null ? Lift(sequential) : null,
                SequentialAbsolute = sequentialAbsolute.Effect.IsValid ? Lift(sequentialAbsolute) : null,
                Bayesian = bayes.Problem is null ? new BayesianSummary(bayes.ChanceToWin, bayes.RiskControl, bayes.RiskTreatment, bayes.CiLower, bayes.CiUpper) : null,
                Problem = problem,
            };
        }
        catch (ArgumentException e)
        {
            return empty with { Problem = e.Message };
        }
    }

    private static LiftEstimate Lift(HypothesisTestResult r) => new(r.Estimate, r.CiLower, r.CiUpper, r.PValue);
}
