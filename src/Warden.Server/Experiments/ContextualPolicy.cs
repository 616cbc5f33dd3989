using System.Globalization;
using System.Text.Json;
using Warden.Contracts;
using Warden.Experimentation.Assignment;
using Warden.Experimentation.Bandits;

namespace Warden.Server.Experiments;

/// <summary>The routing policy of a linucb experiment: LinUCB (disjoint linear models, <see cref="LinUcb"/>) over an intercept and the
/// standardised context features, fitted from the logged decisions and their rewards up to the last update of the cadence, so every
/// replica that fits from the same rows chooses the same arms. A choice is deterministic per unit: with probability K·floor (a hash of
/// the unit under its own seed) the arm is uniform — every arm keeps the floor — otherwise the arm with the largest upper confidence
/// bound, ties broken by a second hash of the unit. The propensity of the choice is exact: floor + (1 − K·floor)/|ties| for a
/// best arm, floor otherwise.</summary>
internal sealed class ContextualPolicy
{
    private readonly LinUcb _model;
    private readonly double[] _mean;
    private readonly double[] _scale;
    private readonly double _floor;
    private readonly string _seed;
    private readonly Lock _gate = new();

    private ContextualPolicy(LinUcb model, double[] mean, double[] scale, double floor, string seed, int decisions)
    {
        _model = model;
        _mean = mean;
        _scale = scale;
        _floor = floor;
        _seed = seed;
        Decisions = decisions;
    }

    /// <summary>How many decisions with a reward the model was fitted from.</summary>
    public int Decisions { get; }

    /// <summary>Fits the model: features are standardised with the mean and standard deviation of the fitted contexts.</summary>
    public static ContextualPolicy Fit(int arms, int features, BanditSettings settings, string seed, IReadOnlyList<(double[] Context, int Arm, double Reward)> decisions)
    {
        var mean = new double[features];
        var scale = Enumerable.Repeat(1.0, features).ToArray();
        if (decisions.Count >= 2)
        {
            for (var f = 0; f < features; f++)
            {
                var values = decisions.Select(d => d.Context[f]).ToArray();
                var m = values.Average();
                var sd = Math.Sqrt(values.Sum(v => (v - m) * (v - m)) / (values.Length - 1));
                mean[f] = m;
                scale[f] = sd > 1e-12 ? sd : 1;
            }
        }

        var policy = new ContextualPolicy(new LinUcb(arms, features + 1, settings.Exploration), mean, scale, settings.Floor, seed, decisions.Count);
        var x = new double[features + 1];
        foreach (var (context, arm, reward) in decisions.Where(d => d.Arm >= 0 && d.Arm < arms))
        {
            policy.Standardise(context, x);
            policy._model.Update(arm, x, reward);
        }

        return policy;
    }

    /// <summary>The arm for <paramref name="unitId"/> in <paramref name="context"/> (raw feature values) and its probability.</summary>
    public (int Arm, double Propensity) Choose(double[] context, string unitId)
    {
        var arms = _model.ArmCount;
        var scores = new double[arms];
        lock (_gate)
        {
            Span<double> x = stackalloc double[_model.Dimension];
            Standardise(context, x);
            for (var a = 0; a < arms; a++)
            {
                scores[a] = _model.Score(a, x);
            }
        }

        var best = scores.Max();
        var ties = Enumerable.Range(0, arms).Where(a => scores[a] >= best - 1e-12 * Math.Max(1, Math.Abs(best))).ToList();
        var explore = GrowthBookHash.Hash(_seed + ":explore", unitId, 2) ?? 0;
        int arm;
        if (explore < arms * _floor)
        {
            arm = Math.Min((int)(explore / _floor), arms - 1);
        }
        else
        {
            var tie = GrowthBookHash.Hash(_seed + ":tie", unitId, 2) ?? 0;
            arm = ties[Math.Min((int)(tie * ties.Count), ties.Count - 1)];
        }

        return (arm, _floor + (ties.Contains(arm) ? (1 - arms * _floor) / ties.Count : 0));
    }

    private void Standardise(ReadOnlySpan<double> context, Span<double> x)
    {
        x[0] = 1;
        for (var f = 0; f < context.Length; f++)
        {
            x[f + 1] = (context[f] - _mean[f]) / _scale[f];
        }
    }

    /// <summary>The numeric values of <paramref name="features"/> in <paramref name="record"/> (numbers or numeric strings), or null
    /// when one is missing or not a number.</summary>
    public static double[]? Numeric(JsonElement record, IReadOnlyList<string> features)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var values = new double[features.Count];
        for (var f = 0; f < features.Count; f++)
        {
            if (!record.TryGetProperty(features[f], out var value) || !TryNumber(value, out values[f]))
            {
                return null;
            }
        }

        return values;
    }

    /// <summary>The numeric values of <paramref name="features"/> in a logged context (see <see cref="Log"/>), or null.</summary>
    public static double[]? Numeric(string? logged, IReadOnlyList<string> features)
    {
        if (logged is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(logged);
        return Numeric(document.RootElement, features);
    }

    /// <summary>The values of <paramref name="features"/> present in <paramref name="record"/>, as a JSON object to log; null when none.</summary>
    public static string? Log(JsonElement record, IReadOnlyList<string> features)
    {
        if (features.Count == 0 || record.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var feature in features)
        {
            if (record.TryGetProperty(feature, out var value) && value.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True or JsonValueKind.False)
            {
                values[feature] = value.Clone();
            }
        }

        return values.Count == 0 ? null : JsonSerializer.Serialize(values);
    }

    /// <summary>A number, or a string holding one.</summary>
    public static bool TryNumber(JsonElement value, out double number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out number) && double.IsFinite(number),
            JsonValueKind.String => double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number),
            _ => false,
        };
    }
}
