using Warden.Experimentation.Numerics;
using Warden.Experimentation.OffPolicy;

namespace Warden.Experimentation.Tests;

/// <summary>Off-policy estimators on simulated logs where the target policy's true value is known exactly.</summary>
public sealed class OffPolicyTests
{
    // Reward probability μ(context, action) for 3 contexts × 3 actions.
    private static readonly double[][] RewardProbability =
    [
        [0.10, 0.50, 0.30],
        [0.60, 0.20, 0.25],
        [0.05, 0.15, 0.70],
    ];

    // The logging policy favours action 0 everywhere; every action keeps a positive propensity.
    private static readonly double[][] Logging =
    [
        [0.6, 0.2, 0.2],
        [0.5, 0.3, 0.2],
        [0.7, 0.2, 0.1],
    ];

    // The target policy mostly picks each context's best action.
    private static readonly double[][] Target =
    [
        [0.05, 0.90, 0.05],
        [0.80, 0.10, 0.10],
        [0.00, 0.10, 0.90],
    ];

    /// <summary>V(π) = Σₓ P(x) Σₐ π(a|x) μ(x, a) with contexts uniform.</summary>
    private static double TrueValue()
    {
        double value = 0;
        for (int x = 0; x < 3; x++)
        {
            for (int a = 0; a < 3; a++)
            {
                value += Target[x][a] * RewardProbability[x][a] / 3;
            }
        }
        return value;
    }

    private static List<LoggedDecision<int>> SimulateLog(int size, ulong seed)
    {
        var random = new SeededRandom(seed);
        var log = new List<LoggedDecision<int>>(size);
        for (int i = 0; i < size; i++)
        {
            int context = random.NextInt(3);
            double u = random.NextDouble();
            int action = u < Logging[context][0] ? 0 : u < Logging[context][0] + Logging[context][1] ? 1 : 2;
            double reward = random.NextBernoulli(RewardProbability[context][action]) ? 1 : 0;
            log.Add(new LoggedDecision<int>(context, action, Logging[context][action], reward));
        }
        return log;
    }

    private static double TargetProbability(int context, int action) => Target[context][action];

    [Fact]
    public void Ips_snips_and_doubly_robust_recover_the_true_value()
    {
        double truth = TrueValue();
        List<LoggedDecision<int>> log = SimulateLog(30_000, 77);
        OffPolicyEstimate ips = OffPolicyEvaluation.InversePropensity(log, TargetProbability);
        OffPolicyEstimate snips = OffPolicyEvaluation.SelfNormalized(log, TargetProbability);
        // A deliberately wrong reward model: doubly robust stays unbiased because the propensities are right.
        OffPolicyEstimate biasedModel = OffPolicyEvaluation.DoublyRobust(log, TargetProbability, (x, a) => RewardProbability[x][a] + 0.1, 3);
        OffPolicyEstimate goodModel = OffPolicyEvaluation.DoublyRobust(log, TargetProbability, (x, a) => RewardProbability[x][a], 3);

        foreach ((string name, OffPolicyEstimate e) in new[] { ("IPS", ips), ("SNIPS", snips), ("DR (biased model)", biasedModel), ("DR (good model)", goodModel) })
        {
            Assert.True(Math.Abs(e.Value - truth) < 4 * e.StandardError, $"{name}: {e.Value:F4} ± {e.StandardError:F4}, truth {truth:F4}");
        }
        // A good reward model removes a large part of the variance of importance weighting (observed ratio 0.63).
        Assert.True(goodModel.StandardError < 0.75 * ips.StandardError, $"DR se {goodModel.StandardError:F5} vs IPS se {ips.StandardError:F5}");
        Assert.True(ips.EffectiveSampleSize < log.Count, "a target policy unlike the logging one is worth fewer decisions");
    }

    [Fact]
    public void Ips_is_unbiased_across_many_logs()
    {
        double truth = TrueValue();
        const int Logs = 60;
        double sum = 0;
        double sumOfVariances = 0;
        for (int i = 0; i < Logs; i++)
        {
            OffPolicyEstimate e = OffPolicyEvaluation.InversePropensity(SimulateLog(2_000, 1000 + (ulong)i), TargetProbability);
            sum += e.Value;
            sumOfVariances += e.StandardError * e.StandardError;
        }
        double mean = sum / Logs;
        double standardError = Math.Sqrt(sumOfVariances) / Logs;
        Assert.True(Math.Abs(mean - truth) < 4 * standardError, $"mean of {Logs} IPS estimates {mean:F4}, truth {truth:F4}, se {standardError:F4}");
    }

    [Fact]
    public void Evaluating_the_logging_policy_itself_reproduces_the_on_policy_mean()
    {
        List<LoggedDecision<int>> log = SimulateLog(5_000, 5);
        OffPolicyEstimate snips = OffPolicyEvaluation.SelfNormalized(log, (x, a) => Logging[x][a]);
        Assert.Equal(log.Average(d => d.Reward), snips.Value, 12);
        Assert.Equal(log.Count, snips.EffectiveSampleSize, 6);
    }

    [Fact]
    public void Rejects_a_zero_propensity()
    {
        var log = new List<LoggedDecision<int>> { new(0, 0, 0, 1) };
        Assert.Throws<ArgumentException>(() => OffPolicyEvaluation.InversePropensity(log, TargetProbability));
    }
}
