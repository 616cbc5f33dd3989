using Warden.Experimentation.Numerics;

namespace Warden.Experimentation.Bandits;

/// <summary>A multi-armed bandit policy: chooses an arm per decision and learns from the reward it observes.</summary>
/// <remarks>Implementations are not thread-safe; the server keeps one per experiment behind a lock or an actor.</remarks>
public interface IBanditPolicy
{
    /// <summary>Number of arms.</summary>
    int ArmCount { get; }

    /// <summary>Chooses the arm for the next decision.</summary>
    int SelectArm();

    /// <summary>Records the reward observed after playing <paramref name="arm"/>.</summary>
    void Update(int arm, double reward);
}

/// <summary>Per-arm running counts shared by the policies.</summary>
public abstract class BanditPolicyBase : IBanditPolicy
{
    private readonly long[] _pulls;
    private readonly double[] _sums;
    private readonly double[] _sumsOfSquares;

    /// <summary>Creates the per-arm state.</summary>
    protected BanditPolicyBase(int armCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(armCount, 2);
        _pulls = new long[armCount];
        _sums = new double[armCount];
        _sumsOfSquares = new double[armCount];
    }

    /// <inheritdoc />
    public int ArmCount => _pulls.Length;

    /// <summary>Total decisions recorded.</summary>
    public long TotalPulls { get; private set; }

    /// <summary>Times <paramref name="arm"/> was played and updated.</summary>
    public long Pulls(int arm) => _pulls[arm];

    /// <summary>Mean reward of <paramref name="arm"/> (0 before its first reward).</summary>
    public double MeanReward(int arm) => _pulls[arm] == 0 ? 0 : _sums[arm] / _pulls[arm];

    /// <summary>Sample variance of <paramref name="arm"/>'s rewards (NaN before two rewards).</summary>
    public double RewardVariance(int arm)
    {
        long n = _pulls[arm];
        return n < 2 ? double.NaN : Math.Max(0, (_sumsOfSquares[arm] - _sums[arm] * _sums[arm] / n) / (n - 1));
    }

    /// <summary>Sum of <paramref name="arm"/>'s rewards.</summary>
    protected double RewardSum(int arm) => _sums[arm];

    /// <inheritdoc />
    public abstract int SelectArm();

    /// <inheritdoc />
    public virtual void Update(int arm, double reward)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arm);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(arm, ArmCount);
        _pulls[arm]++;
        _sums[arm] += reward;
        _sumsOfSquares[arm] += reward * reward;
        TotalPulls++;
    }

    /// <summary>Index of the largest value (the first on ties).</summary>
    protected static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }
}

/// <summary>
/// Thompson sampling for 0/1 rewards (Thompson 1933; Agrawal and Goyal 2012): each arm keeps a Beta(α₀ + successes,
/// β₀ + failures) posterior; a decision draws one sample per arm and plays the largest. Asymptotically optimal
/// (Kaufmann, Korda and Munos 2012): its regret matches the Lai–Robbins bound.
/// </summary>
public sealed class ThompsonBernoulli : BanditPolicyBase
{
    private readonly SeededRandom _random;
    private readonly double _priorAlpha;
    private readonly double _priorBeta;
    private readonly double[] _samples;

    /// <summary>Creates the policy with a Beta(priorAlpha, priorBeta) prior (uniform by default).</summary>
    public ThompsonBernoulli(int armCount, SeededRandom random, double priorAlpha = 1, double priorBeta = 1)
        : base(armCount)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(priorAlpha);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(priorBeta);
        _random = random;
        _priorAlpha = priorAlpha;
        _priorBeta = priorBeta;
        _samples = new double[armCount];
    }

    /// <inheritdoc />
    public override int SelectArm()
    {
        for (int arm = 0; arm < _samples.Length; arm++)
        {
            double successes = RewardSum(arm);
            _samples[arm] = _random.NextBeta(_priorAlpha + successes, _priorBeta + Pulls(arm) - successes);
        }
        return ArgMax(_samples);
    }

    /// <summary>Records a 0/1 reward.</summary>
    public override void Update(int arm, double reward)
    {
        if (reward is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(reward), reward, "Bernoulli rewards are 0 or 1.");
        }
        base.Update(arm, reward);
    }
}

/// <summary>
/// Thompson sampling for real-valued rewards with a normal model: each arm's mean has the conjugate posterior
/// N(μₙ, vₙ) under a N(μ₀, v₀) prior, with the observation variance estimated from the arm's own rewards
/// (<see cref="DefaultNoiseVariance"/> until it has two).
/// </summary>
public sealed class ThompsonGaussian : BanditPolicyBase
{
    private readonly SeededRandom _random;
    private readonly double _priorMean;
    private readonly double _priorVariance;
    private readonly double[] _samples;

    /// <summary>Observation variance assumed before an arm has two rewards.</summary>
    public double DefaultNoiseVariance { get; }

    /// <summary>Creates the policy.</summary>
    public ThompsonGaussian(int armCount, SeededRandom random, double priorMean = 0, double priorVariance = 1e6, double defaultNoiseVariance = 1)
        : base(armCount)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(priorVariance);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(defaultNoiseVariance);
        _random = random;
        _priorMean = priorMean;
        _priorVariance = priorVariance;
        DefaultNoiseVariance = defaultNoiseVariance;
        _samples = new double[armCount];
    }

    /// <summary>The posterior mean and variance of <paramref name="arm"/>'s mean reward.</summary>
    public (double Mean, double Variance) Posterior(int arm)
    {
        long n = Pulls(arm);
        double noise = RewardVariance(arm);
        if (!(noise > 0))
        {
            noise = DefaultNoiseVariance;
        }
        double precision = 1 / _priorVariance + n / noise;
        double mean = (_priorMean / _priorVariance + RewardSum(arm) / noise) / precision;
        return (mean, 1 / precision);
    }

    /// <inheritdoc />
    public override int SelectArm()
    {
        for (int arm = 0; arm < _samples.Length; arm++)
        {
            (double mean, double variance) = Posterior(arm);
            _samples[arm] = _random.NextNormal(mean, Math.Sqrt(variance));
        }
        return ArgMax(_samples);
    }
}

/// <summary>
/// UCB1 (Auer, Cesa-Bianchi and Fischer 2002) for rewards in [0, 1]: play every arm once, then the arm maximising
/// mean + √(2 ln t / nₐ). Deterministic; regret O(Σ ln T / Δₐ), a constant factor above the Lai–Robbins bound.
/// </summary>
public sealed class Ucb1 : BanditPolicyBase
{
    private readonly double[] _scores;

    /// <summary>Creates the policy.</summary>
    public Ucb1(int armCount)
        : base(armCount)
    {
        _scores = new double[armCount];
    }

    /// <inheritdoc />
    public override int SelectArm()
    {
        for (int arm = 0; arm < ArmCount; arm++)
        {
            if (Pulls(arm) == 0)
            {
                return arm;
            }
        }
        double logT = Math.Log(TotalPulls);
        for (int arm = 0; arm < ArmCount; arm++)
        {
            _scores[arm] = MeanReward(arm) + Math.Sqrt(2 * logT / Pulls(arm));
        }
        return ArgMax(_scores);
    }
}

/// <summary>
/// ε-greedy: with probability ε a uniformly random arm, otherwise the best mean so far (untried arms first).
/// With a fixed ε it keeps exploring forever, so its regret grows linearly (ε·mean gap per decision).
/// </summary>
public sealed class EpsilonGreedy : BanditPolicyBase
{
    private readonly SeededRandom _random;
    private readonly double[] _means;

    /// <summary>Exploration probability.</summary>
    public double Epsilon { get; }

    /// <summary>Creates the policy.</summary>
    public EpsilonGreedy(int armCount, double epsilon, SeededRandom random)
        : base(armCount)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(epsilon >= 0 && epsilon <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must lie in [0, 1].");
        }
        Epsilon = epsilon;
        _random = random;
        _means = new double[armCount];
    }

    /// <inheritdoc />
    public override int SelectArm()
    {
        if (_random.NextDouble() < Epsilon)
        {
            return _random.NextInt(ArmCount);
        }
        for (int arm = 0; arm < ArmCount; arm++)
        {
            if (Pulls(arm) == 0)
            {
                return arm;
            }
            _means[arm] = MeanReward(arm);
        }
        return ArgMax(_means);
    }
}

/// <summary>
/// A minimum traffic floor around any policy: with probability K·floor the decision goes to a uniformly random arm,
/// otherwise to the inner policy, so every arm receives at least <see cref="Floor"/> of the traffic. Keeps each arm's
/// estimate improving (and a degraded model version visible) however confident the policy becomes.
/// </summary>
public sealed class TrafficFloorPolicy : IBanditPolicy
{
    private readonly IBanditPolicy _inner;
    private readonly SeededRandom _random;
    private readonly double _uniformShare;

    /// <summary>Wraps <paramref name="inner"/> with a per-arm floor (K·floor must not exceed 1).</summary>
    public TrafficFloorPolicy(IBanditPolicy inner, double floor, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(random);
        if (!(floor >= 0 && floor * inner.ArmCount <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(floor), floor, "The floor must be non-negative and at most 1/K.");
        }
        _inner = inner;
        _random = random;
        Floor = floor;
        _uniformShare = floor * inner.ArmCount;
    }

    /// <summary>The minimum share of decisions each arm receives.</summary>
    public double Floor { get; }

    /// <inheritdoc />
    public int ArmCount => _inner.ArmCount;

    /// <inheritdoc />
    public int SelectArm() => _random.NextDouble() < _uniformShare ? _random.NextInt(ArmCount) : _inner.SelectArm();

    /// <inheritdoc />
    public void Update(int arm, double reward) => _inner.Update(arm, reward);
}
