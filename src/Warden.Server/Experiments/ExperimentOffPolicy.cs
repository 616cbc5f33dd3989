using System.Globalization;
using System.Text.Json;
using Dapper;
using Warden.Contracts;
using Warden.Experimentation.Numerics;
using Warden.Experimentation.OffPolicy;
using Warden.Server.Data;
using Warden.Server.Platform;

namespace Warden.Server.Experiments;

/// <summary>Off-policy evaluation of a candidate policy on an experiment's logged decisions — each unit's first exposure in the
/// current epoch with the probability its arm was chosen with and its logged context — and the reward from feedback, before the
/// candidate gets any traffic: IPS, self-normalized IPS and doubly robust (<see cref="OffPolicyEvaluation"/>).</summary>
public sealed class ExperimentOffPolicy(WardenDatabase database, ExperimentRouter router)
{
    /// <summary>Estimates the candidate's mean reward per unit.</summary>
    public async Task<OffPolicyResult> EvaluateAsync(string name, OffPolicyRequest request, CancellationToken cancellationToken = default)
    {
        await router.FlushAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await ExperimentService.FindAsync(connection, null, name, cancellationToken);
        var phase = await ExperimentService.CurrentPhaseAsync(connection, null, row, cancellationToken);
        var arms = phase.ParsedArms;
        var definition = row.Parsed;
        var metric = request.Metric is null ? definition.Metrics.First(m => m.Role == MetricRoles.Primary) : definition.Metrics.FirstOrDefault(m => m.Name == request.Metric);
        var v = new Validator()
            .Require(metric is not null, "metric", $"must be one of the experiment's metrics: {string.Join(", ", definition.Metrics.Select(m => m.Name))}")
            .Require(metric is null || metric.Kind is not (MetricKinds.Ratio or MetricKinds.Native), "metric",
                "a ratio or native metric has no per-unit reward; choose a binomial, continuous or count metric")
            .Require(request.Alpha is > 0 and < 0.5, "alpha", "must be in (0, 0.5)");
        var policy = TargetPolicy.Create(request, arms, definition.Features, v);
        v.ThrowIfInvalid();

        var exposures = (await connection.QueryAsync<Exposure>(new CommandDefinition(
            "SELECT unit_id, arm, period, phase, first_seen_at, propensity, context FROM experiment_exposures WHERE experiment_id = @Id AND epoch = @Epoch " +
            "ORDER BY first_seen_at, unit_id", new { row.Id, phase.Epoch }, cancellationToken: cancellationToken))).Where(e => e.Arm >= 0 && e.Arm < arms.Count).ToList();
        if (exposures.Count < 2)
        {
            throw WardenProblemException.Conflict($"Experiment '{name}' has {exposures.Count} logged decision(s) in its current epoch; off-policy evaluation needs at least two.");
        }

        var fallback = await FallbackPropensitiesAsync(connection, row, cancellationToken);
        var outcomes = ExperimentAnalysis.Outcomes((await connection.QueryAsync<Observation>(new CommandDefinition(
            "SELECT unit_id, name, value, at FROM experiment_observations WHERE experiment_id = @Id AND name = @Name", new { row.Id, metric!.Name },
            cancellationToken: cancellationToken))).ToList());
        var log = new List<LoggedDecision<int>>(exposures.Count);
        var withoutContext = 0;
        foreach (var e in exposures)
        {
            var propensity = e.Propensity ?? fallback(e);
            using var context = e.Context is null ? null : JsonDocument.Parse(e.Context);
            withoutContext += context is null ? 1 : 0;
            log.Add(new LoggedDecision<int>(policy.Cell(context?.RootElement), e.Arm, propensity, ExperimentAnalysis.UnitValue(metric, outcomes.GetValueOrDefault(e.UnitId))));
        }

        var warnings = new List<string>();
        if (withoutContext > 0 && policy.HasRules)
        {
            warnings.Add($"{withoutContext:N0} decision(s) carry no logged context; the default probabilities apply to them.");
        }

        if (row.Kind == ExperimentKinds.LinUcb && definition.Bandit?.Floor == 0)
        {
            warnings.Add("The bandit logged with no traffic floor: arms it never chose in a context had probability 0 there, so estimates of policies that play them are biased.");
        }

        return Estimate(row.Name, metric.Name, (int)phase.Epoch, arms, policy, log, request.Alpha, warnings);
    }

    /// <summary>The three estimates, the logged value and the warnings (pure, for a log whose contexts are policy cells).</summary>
    internal static OffPolicyResult Estimate(string experiment, string metric, int epoch, IReadOnlyList<ExperimentArm> arms, TargetPolicy policy,
        IReadOnlyList<LoggedDecision<int>> log, double alpha, List<string> warnings)
    {
        if (log.Any(d => !(d.Propensity > 0 && d.Propensity <= 1)))
        {
            throw WardenProblemException.Conflict("Some logged decisions have no valid assignment probability; they cannot be reweighted.");
        }

        if (log.All(d => policy.Probability(d.Context, d.Action) == 0))
        {
            throw WardenProblemException.Conflict("The candidate never plays an arm in a context where the log has a decision: there is nothing to estimate from.");
        }

        // Reward model for doubly robust: each arm's mean reward in each cell, else the arm's mean, else the overall mean.
        var overall = log.Average(d => d.Reward);
        var armMeans = Enumerable.Range(0, arms.Count).Select(a => log.Where(d => d.Action == a).Select(d => d.Reward).DefaultIfEmpty(overall).Average()).ToArray();
        var cellMeans = log.GroupBy(d => (d.Context, d.Action)).ToDictionary(g => g.Key, g => g.Average(d => d.Reward));
        double Model(int cell, int arm) => cellMeans.TryGetValue((cell, arm), out var m) ? m : armMeans[arm];

        foreach (var cell in log.Select(d => d.Context).Distinct().Order())
        {
            foreach (var arm in Enumerable.Range(0, arms.Count).Where(a => policy.Probability(cell, a) > 0 && !cellMeans.ContainsKey((cell, a))))
            {
                warnings.Add($"The candidate plays {arms[arm].Name} {policy.Describe(cell)} where the log has no such decision: IPS and SNIPS cannot see it there, " +
                             "doubly robust relies on the reward model.");
            }
        }

        var ips = OffPolicyEvaluation.InversePropensity(log, policy.Probability);
        var snips = OffPolicyEvaluation.SelfNormalized(log, policy.Probability);
        var dr = OffPolicyEvaluation.DoublyRobust(log, policy.Probability, Model, arms.Count);
        if (ips.EffectiveSampleSize < 30)
        {
            warnings.Add($"The log is worth only {ips.EffectiveSampleSize:F1} on-policy decisions for this candidate (effective sample size): the intervals are unreliable.");
        }

        var z = Normal.Quantile(1 - alpha / 2);
        var rewards = log.Select(d => d.Reward).ToArray();
        var loggedSe = Math.Sqrt(rewards.Sum(r => (r - overall) * (r - overall)) / (rewards.Length - 1) / rewards.Length);
        OffPolicyValue Value(double value, double se) => new(value, se, value - z * se, value + z * se);
        return new OffPolicyResult(experiment, metric, epoch, log.Count, Value(overall, loggedSe), Value(ips.Value, ips.StandardError),
            Value(snips.Value, snips.StandardError), Value(dr.Value, dr.StandardError), ips.EffectiveSampleSize, warnings);
    }

    /// <summary>For exposures logged before propensities were: the weight of the arm in the exposure's phase (a bandit: its period).</summary>
    private static async Task<Func<Exposure, double>> FallbackPropensitiesAsync(System.Data.Common.DbConnection connection, ExperimentRow row, CancellationToken cancellationToken)
    {
        var phases = (await connection.QueryAsync<PhaseRow>(new CommandDefinition(
            $"SELECT {PhaseRow.Columns} FROM experiment_phases WHERE experiment_id = @Id", new { row.Id }, cancellationToken: cancellationToken)))
            .ToDictionary(p => (int)p.Phase, p => p.ParsedArms.Select(a => a.Weight).ToArray());
        var periods = (await connection.QueryAsync<AllocationRow>(new CommandDefinition(
            "SELECT experiment_id, period, at, weights, probability_best, reason FROM experiment_allocations WHERE experiment_id = @Id", new { row.Id },
            cancellationToken: cancellationToken))).ToDictionary(a => (int)a.Period, a => a.ParsedWeights);
        return e =>
        {
            var weights = row.Kind == ExperimentKinds.Bandit && periods.TryGetValue(e.Period, out var w) ? w : phases.GetValueOrDefault(e.Phase, []);
            return e.Arm < weights.Length ? weights[e.Arm] : 0;
        };
    }
}

/// <summary>A candidate policy as target arm probabilities: rules on context features (the first match wins), else the default.
/// A decision's "cell" is the index of the rule its context matches, or −1 for the default.</summary>
internal sealed class TargetPolicy
{
    private readonly double[] _default;
    private readonly List<(OffPolicyRule Rule, double[] Probabilities)> _rules;

    private TargetPolicy(double[] defaults, List<(OffPolicyRule, double[])> rules)
    {
        _default = defaults;
        _rules = rules;
    }

    /// <summary>True when some probabilities depend on the context.</summary>
    public bool HasRules => _rules.Count > 0;

    /// <summary>Validates the request against the experiment's arms and logged features.</summary>
    public static TargetPolicy Create(OffPolicyRequest request, IReadOnlyList<ExperimentArm> arms, IReadOnlyList<string> features, Validator v)
    {
        var defaults = Probabilities(request.Arms, arms, "arms", v);
        var rules = new List<(OffPolicyRule, double[])>();
        var requested = request.Rules ?? [];
        v.Require(requested.Count <= 50, "rules", "at most 50 rules");
        for (var i = 0; i < requested.Count && i < 50; i++)
        {
            var rule = requested[i];
            var f = $"rules[{i}]";
            if (rule is null)
            {
                v.Require(false, f, "is null");
                continue;
            }

            v.Require(features.Contains(rule.Feature, StringComparer.Ordinal), f + ".feature",
                    features.Count == 0 ? "the experiment logs no context features (contextFeatures at creation)" : $"must be a logged context feature: {string.Join(", ", features)}")
                .Require((rule.Value is null) != (rule.Min is null && rule.Max is null), f, "give a value, or a range (min and/or max), not both")
                .Require(rule.Min is null || rule.Max is null || rule.Min < rule.Max, f, "min must be below max");
            rules.Add((rule, Probabilities(rule.Arms, arms, f + ".arms", v)));
        }

        return new TargetPolicy(defaults, rules);
    }

    /// <summary>The cell of a logged context (null: none logged).</summary>
    public int Cell(JsonElement? context)
    {
        if (context is not { ValueKind: JsonValueKind.Object } c)
        {
            return -1;
        }

        for (var i = 0; i < _rules.Count; i++)
        {
            var rule = _rules[i].Rule;
            if (c.TryGetProperty(rule.Feature, out var value) && Matches(rule, value))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>π(arm | cell).</summary>
    public double Probability(int cell, int arm) => (cell < 0 ? _default : _rules[cell].Probabilities)[arm];

    /// <summary>The cell in words.</summary>
    public string Describe(int cell)
    {
        if (cell < 0)
        {
            return _rules.Count == 0 ? "anywhere" : "where no rule matches";
        }

        var r = _rules[cell].Rule;
        return r.Value is not null ? $"where {r.Feature} = {r.Value}"
            : $"where {(r.Min is { } min ? $"{min.ToString(CultureInfo.InvariantCulture)} ≤ " : "")}{r.Feature}{(r.Max is { } max ? $" < {max.ToString(CultureInfo.InvariantCulture)}" : "")}";
    }

    private static bool Matches(OffPolicyRule rule, JsonElement value)
    {
        if (rule.Value is { } wanted)
        {
            if (ContextualPolicy.TryNumber(value, out var number) && double.TryParse(wanted, NumberStyles.Float, CultureInfo.InvariantCulture, out var target))
            {
                return number == target;
            }

            return string.Equals(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(), wanted, StringComparison.Ordinal);
        }

        return ContextualPolicy.TryNumber(value, out var x) && (rule.Min is null || x >= rule.Min) && (rule.Max is null || x < rule.Max);
    }

    private static double[] Probabilities(IReadOnlyDictionary<string, double>? requested, IReadOnlyList<ExperimentArm> arms, string field, Validator v)
    {
        var probabilities = new double[arms.Count];
        if (requested is null || requested.Count == 0)
        {
            v.Require(false, field, "give each arm's target probability, e.g. {\"treatment\": 1}");
            return probabilities;
        }

        foreach (var (arm, p) in requested)
        {
            var index = arms.ToList().FindIndex(a => a.Name == arm);
            v.Require(index >= 0, field, $"'{arm}' is not an arm; the arms are {string.Join(", ", arms.Select(a => a.Name))}")
                .Require(p is >= 0 and <= 1, field, $"'{arm}': a probability is in [0, 1]");
            if (index >= 0)
            {
                probabilities[index] = p;
            }
        }

        v.Require(Math.Abs(probabilities.Sum() - 1) < 1e-6, field, $"the probabilities must sum to 1 (they sum to {probabilities.Sum().ToString("G6", CultureInfo.InvariantCulture)})");
        return probabilities;
    }
}
