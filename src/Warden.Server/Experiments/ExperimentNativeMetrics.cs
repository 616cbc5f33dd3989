using System.Globalization;
using Warden.Contracts;
using Warden.Server.Monitoring;

namespace Warden.Server.Experiments;

/// <summary>Model-native metrics of an experiment's arms (kind <see cref="MetricKinds.Native"/>): latency and error rate from what
/// serving measured per arm in the phase (<see cref="ExperimentServingStats"/>), drift and fairness from the monitoring metrics of
/// each arm's version in the newest window that overlaps the phase. A treatment arm breaches when it crosses an absolute limit
/// or is worse than control by more than the relative margin; arms under the minimum sample are shown but not judged.</summary>
internal static class ExperimentNativeMetrics
{
    /// <summary>Requests (or window rows) an arm needs before it is judged, unless the metric says otherwise.</summary>
    public const long DefaultMinimumSample = 100;

    /// <summary>Every native metric of the experiment, per arm, judged.</summary>
    public static async Task<IReadOnlyList<NativeMetricResult>> ComputeAsync(IReadOnlyList<ExperimentMetric> metrics, string model, IReadOnlyList<ExperimentArm> arms,
        IReadOnlyList<ArmServing> serving, long phaseStart, long now, MonitoringService monitoring, TimeSpan window, CancellationToken cancellationToken)
    {
        var natives = metrics.Where(m => m.Kind == MetricKinds.Native).ToList();
        if (natives.Count == 0)
        {
            return [];
        }

        var windowMs = (long)window.TotalMilliseconds;
        var windows = new Dictionary<int, IReadOnlyList<MonitoringService.WindowMetrics>>();
        if (natives.Any(m => !NativeMetrics.FromServing(m.Name)))
        {
            // Only windows that overlap the phase: a version's traffic before the experiment says nothing about it.
            var count = (int)Math.Clamp((now - phaseStart) / Math.Max(windowMs, 1) + 2, 1, 1000);
            foreach (var version in arms.Select(a => a.Version).Distinct())
            {
                windows[version] = (await monitoring.RecentMetricsAsync(model, version, count, cancellationToken)).Where(w => w.Start + windowMs > phaseStart).ToList();
            }
        }

        var control = ExperimentAnalysis.Control(arms);
        var results = new List<NativeMetricResult>();
        foreach (var metric in natives)
        {
            var minimum = metric.MinimumSample ?? DefaultMinimumSample;
            var measured = arms.Select((a, i) => NativeMetrics.FromServing(metric.Name) ? FromServing(metric.Name, serving[i]) : FromMonitoring(metric, windows[a.Version], minimum))
                .ToList();
            var higher = NativeMetrics.HigherIsBetter(metric.Name);
            var (controlValue, controlSample, _, _) = measured[control];
            var values = new List<NativeArmValue>();
            for (var i = 0; i < arms.Count; i++)
            {
                var (value, sample, at, note) = measured[i];
                var judged = value is not null && sample >= minimum;
                if (value is not null && !judged && metric.Role == MetricRoles.Guardrail)
                {
                    note ??= $"not judged: {sample:N0} of the {minimum:N0} {(NativeMetrics.FromServing(metric.Name) ? "requests" : "rows")} needed";
                }

                double? relative = i != control && value is { } v && controlValue is { } c && c != 0 ? (v - c) / Math.Abs(c) : null;
                var breach = i == control || !judged ? null
                    : Judge(metric, value!.Value, controlSample >= minimum ? controlValue : null, higher);
                values.Add(new NativeArmValue(arms[i].Name, arms[i].Version, value, sample, relative, at is { } s ? DateTimeOffset.FromUnixTimeMilliseconds(s) : null,
                    breach, note));
            }

            results.Add(new NativeMetricResult(metric.Name, metric.Feature, metric.Role, NativeMetrics.FromServing(metric.Name) ? "experiment" : "version", higher,
                metric.Max, metric.Min, metric.Margin, values));
        }

        return results;
    }

    /// <summary>The guardrail breaches of native metrics, in words.</summary>
    public static IEnumerable<string> Breaches(IReadOnlyList<NativeMetricResult> native) =>
        native.Where(m => m.Role == MetricRoles.Guardrail)
            .SelectMany(m => m.Arms.Where(a => a.Breach is not null).Select(a => $"{Label(m.Metric, m.Feature)} in {a.Arm} (v{a.Version}): {a.Breach}"));

    /// <summary>A metric's name with its feature.</summary>
    public static string Label(string metric, string? feature) => feature is null ? metric : $"{metric}[{feature}]";

    /// <summary>Why a treatment arm's <paramref name="value"/> breaches, or null: above <c>max</c>, below <c>min</c>, or worse than
    /// <paramref name="control"/> by more than the relative margin (any worsening when control is 0).</summary>
    internal static string? Judge(ExperimentMetric metric, double value, double? control, bool higherIsBetter)
    {
        var inv = CultureInfo.InvariantCulture;
        if (metric.Max is { } max && value > max)
        {
            return string.Format(inv, "{0:G4} is above the limit {1:0.####}", value, max);
        }

        if (metric.Min is { } min && value < min)
        {
            return string.Format(inv, "{0:G4} is below the limit {1:0.####}", value, min);
        }

        if (metric.Margin is { } margin && control is { } c)
        {
            var bound = higherIsBetter ? c - margin * Math.Abs(c) : c + margin * Math.Abs(c);
            if (higherIsBetter ? value < bound : value > bound)
            {
                return string.Format(inv, "{0:G4} against {1:G4} in control, worse by more than the margin of {2:P0}", value, c, margin);
            }
        }

        return null;
    }

    private static (double? Value, long Sample, long? Window, string? Note) FromServing(string metric, ArmServing arm)
    {
        var answered = arm.Requests - arm.Failures;
        return metric switch
        {
            NativeMetrics.ErrorRate => (arm.ErrorRate, arm.Requests, null, arm.Requests == 0 ? "no requests yet" : null),
            NativeMetrics.LatencyP50 => (arm.LatencyP50, answered, null, answered == 0 ? "no answered requests yet" : null),
            _ => (arm.LatencyP99, answered, null, answered == 0 ? "no answered requests yet" : null),
        };
    }

    private static (double? Value, long Sample, long? Window, string? Note) FromMonitoring(ExperimentMetric metric, IReadOnlyList<MonitoringService.WindowMetrics> windows,
        long minimum)
    {
        if (windows.Count == 0)
        {
            return (null, 0, null, "no monitored traffic of this version since the phase started");
        }

        // The newest window with enough rows, else the newest one (shown, not judged).
        var chosen = windows.FirstOrDefault(w => w.Rows >= minimum) ?? windows[0];
        if (chosen.Values.TryGetValue(metric.Name, out var byFeature) && byFeature.TryGetValue(metric.Feature ?? "", out var value))
        {
            return (value, chosen.Rows, chosen.Start, null);
        }

        var why = metric.Name.StartsWith("drift.", StringComparison.Ordinal) ? "no drift measured (does the version have a reference profile?)"
            : $"not measured in the window (is '{metric.Feature}' a sensitive attribute of the model, with groups of the minimum size?)";
        return (null, chosen.Rows, chosen.Start, why);
    }
}
