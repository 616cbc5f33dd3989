namespace Warden.Experimentation.OffPolicy;

/// <summary>One logged decision: the context seen, the action taken, the probability the logging policy gave it, and the reward.</summary>
/// <typeparam name="TContext">Whatever the policies condition on (features, a user segment, nothing).</typeparam>
/// <param name="Context">The context of the decision.</param>
/// <param name="Action">The action taken (an arm index).</param>
/// <param name="Propensity">The logging policy's probability of that action in that context (must be &gt; 0).</param>
/// <param name="Reward">The observed reward.</param>
public sealed record LoggedDecision<TContext>(TContext Context, int Action, double Propensity, double Reward);

/// <summary>An off-policy estimate of a target policy's mean reward.</summary>
/// <param name="Value">Estimated mean reward per decision under the target policy.</param>
/// <param name="StandardError">Standard error of the estimate (from the spread of the per-decision terms).</param>
/// <param name="EffectiveSampleSize">(Σw)²/Σw² of the importance weights: how many on-policy decisions the log is worth.</param>
public sealed record OffPolicyEstimate(double Value, double StandardError, double EffectiveSampleSize);

/// <summary>
/// Off-policy evaluation: what would a new policy (a new model version's routing, a bandit) have earned, estimated
/// from decisions logged under the current policy — before exposing any traffic to it.
/// </summary>
/// <remarks>
/// <para>With importance weights wᵢ = π(aᵢ|xᵢ)/pᵢ, where π is the target policy and pᵢ the logged propensity:</para>
/// <list type="bullet">
/// <item>IPS (Horvitz–Thompson): V̂ = (1/n) Σ wᵢ rᵢ — unbiased when every action π can take had pᵢ &gt; 0, but high-variance.</item>
/// <item>Self-normalized IPS: V̂ = Σ wᵢ rᵢ / Σ wᵢ — slightly biased, far lower variance, invariant to reward shifts.</item>
/// <item>Doubly robust (Dudík, Langford and Li 2011): V̂ = (1/n) Σ [Σₐ π(a|xᵢ) q̂(xᵢ, a) + wᵢ (rᵢ − q̂(xᵢ, aᵢ))] — unbiased
/// if either the propensities or the reward model q̂ are right, with lower variance than IPS when q̂ is good.</item>
/// </list>
/// </remarks>
public static class OffPolicyEvaluation
{
    /// <summary>Inverse propensity scoring.</summary>
    public static OffPolicyEstimate InversePropensity<TContext>(
        IReadOnlyList<LoggedDecision<TContext>> log, Func<TContext, int, double> targetProbability)
    {
        double[] weights = Weights(log, targetProbability);
        var terms = new double[weights.Length];
        for (int i = 0; i < terms.Length; i++)
        {
            terms[i] = weights[i] * log[i].Reward;
        }
        (double mean, double se) = MeanAndError(terms);
        return new OffPolicyEstimate(mean, se, EffectiveSampleSize(weights));
    }

    /// <summary>Self-normalized inverse propensity scoring; the standard error is the delta-method one for a ratio.</summary>
    public static OffPolicyEstimate SelfNormalized<TContext>(
        IReadOnlyList<LoggedDecision<TContext>> log, Func<TContext, int, double> targetProbability)
    {
        double[] weights = Weights(log, targetProbability);
        double weightSum = 0;
        double weightedRewards = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            weightSum += weights[i];
            weightedRewards += weights[i] * log[i].Reward;
        }
        if (weightSum == 0)
        {
            return new OffPolicyEstimate(double.NaN, double.NaN, 0);
        }
        double value = weightedRewards / weightSum;
        // Var ≈ Σ wᵢ²(rᵢ − V̂)² / (Σ wᵢ)²
        double spread = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            double residual = log[i].Reward - value;
            spread += weights[i] * weights[i] * residual * residual;
        }
        return new OffPolicyEstimate(value, Math.Sqrt(spread) / weightSum, EffectiveSampleSize(weights));
    }

    /// <summary>The doubly robust estimator with reward model <paramref name="rewardModel"/>(context, action).</summary>
    public static OffPolicyEstimate DoublyRobust<TContext>(
        IReadOnlyList<LoggedDecision<TContext>> log,
        Func<TContext, int, double> targetProbability,
        Func<TContext, int, double> rewardModel,
        int actionCount)
    {
        ArgumentNullException.ThrowIfNull(rewardModel);
        ArgumentOutOfRangeException.ThrowIfLessThan(actionCount, 1);
        double[] weights = Weights(log, targetProbability);
        var terms = new double[weights.Length];
        for (int i = 0; i < terms.Length; i++)
        {
            LoggedDecision<TContext> entry = log[i];
            double direct = 0;
            for (int a = 0; a < actionCount; a++)
            {
                double p = targetProbability(entry.Context, a);
                if (p != 0)
                {
                    direct += p * rewardModel(entry.Context, a);
                }
            }
            terms[i] = direct + weights[i] * (entry.Reward - rewardModel(entry.Context, entry.Action));
        }
        (double mean, double se) = MeanAndError(terms);
        return new OffPolicyEstimate(mean, se, EffectiveSampleSize(weights));
    }

    private static double[] Weights<TContext>(IReadOnlyList<LoggedDecision<TContext>> log, Func<TContext, int, double> targetProbability)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(targetProbability);
        if (log.Count == 0)
        {
            throw new ArgumentException("The log is empty.", nameof(log));
        }
        var weights = new double[log.Count];
        for (int i = 0; i < weights.Length; i++)
        {
            LoggedDecision<TContext> entry = log[i];
            if (!(entry.Propensity > 0 && entry.Propensity <= 1))
            {
                throw new ArgumentException($"Logged propensity {entry.Propensity} at row {i} must lie in (0, 1].", nameof(log));
            }
            weights[i] = targetProbability(entry.Context, entry.Action) / entry.Propensity;
        }
        return weights;
    }

    private static (double Mean, double StandardError) MeanAndError(double[] terms)
    {
        double sum = 0;
        foreach (double t in terms)
        {
            sum += t;
        }
        double mean = sum / terms.Length;
        if (terms.Length < 2)
        {
            return (mean, double.NaN);
        }
        double squares = 0;
        foreach (double t in terms)
        {
            squares += (t - mean) * (t - mean);
        }
        return (mean, Math.Sqrt(squares / (terms.Length - 1) / terms.Length));
    }

    private static double EffectiveSampleSize(double[] weights)
    {
        double sum = 0;
        double squares = 0;
        foreach (double w in weights)
        {
            sum += w;
            squares += w * w;
        }
        return squares == 0 ? 0 : sum * sum / squares;
    }
}
