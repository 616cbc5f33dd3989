namespace Warden.Experimentation.Analysis;

/// <summary>
/// Sufficient statistics of one metric in one arm: everything the tests need, aggregated without keeping unit rows.
/// The server accumulates n, Σx, Σx² (and cross sums for ratio and CUPED metrics) and builds these records.
/// </summary>
/// <remarks>
/// Variances are per unit (not of the mean). They are computed from the sums as (Σx² − (Σx)²/n)/(n − 1), as gbstats
/// does; with values far from zero relative to their spread, centre them before accumulating.
/// </remarks>
public abstract record MetricStatistic
{
    /// <summary>Number of units.</summary>
    public abstract long N { get; }

    /// <summary>The metric's estimate (a mean, a proportion, a ratio, or a CUPED-adjusted mean).</summary>
    public abstract double Mean { get; }

    /// <summary>Per-unit variance of the metric (for ratios, the delta-method variance).</summary>
    public abstract double Variance { get; }

    /// <summary>The estimate before any covariate adjustment: the baseline that relative lifts divide by.</summary>
    public virtual double UnadjustedMean => Mean;
}

/// <summary>A statistic that is a plain sum over units (usable as CUPED post or pre period).</summary>
public abstract record SummableStatistic : MetricStatistic
{
    /// <summary>Σx over units.</summary>
    public abstract double Sum { get; }
}

/// <summary>A continuous or count metric: n, Σx, Σx².</summary>
public sealed record MeanStatistic : SummableStatistic
{
    /// <summary>Creates the statistic from its sums.</summary>
    public MeanStatistic(long n, double sum, double sumOfSquares)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        N = n;
        Sum = sum;
        SumOfSquares = sumOfSquares;
    }

    /// <inheritdoc />
    public override long N { get; }

    /// <inheritdoc />
    public override double Sum { get; }

    /// <summary>Σx² over units.</summary>
    public double SumOfSquares { get; }

    /// <inheritdoc />
    public override double Mean => N == 0 ? 0 : Sum / N;

    /// <summary>Sample variance with n − 1 in the denominator (0 when n &lt; 2).</summary>
    public override double Variance => N < 2 ? 0 : (SumOfSquares - Sum * Sum / N) / (N - 1);

    /// <summary>Aggregates raw per-unit values.</summary>
    public static MeanStatistic FromValues(ReadOnlySpan<double> values)
    {
        double sum = 0;
        double sumOfSquares = 0;
        foreach (double v in values)
        {
            sum += v;
            sumOfSquares += v * v;
        }
        return new MeanStatistic(values.Length, sum, sumOfSquares);
    }

    /// <summary>The statistic of two disjoint groups together.</summary>
    public MeanStatistic Combine(MeanStatistic other) => new(N + other.N, Sum + other.Sum, SumOfSquares + other.SumOfSquares);
}

/// <summary>A binomial (conversion) metric: n units, of which <see cref="Successes"/> converted.</summary>
/// <remarks>The variance is the Bernoulli p(1 − p), as gbstats uses for proportions (not the n − 1 sample variance).</remarks>
public sealed record ProportionStatistic : SummableStatistic
{
    /// <summary>Creates the statistic.</summary>
    public ProportionStatistic(long n, double successes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (successes < 0 || successes > n)
        {
            throw new ArgumentOutOfRangeException(nameof(successes), successes, "Successes must lie between 0 and n.");
        }
        N = n;
        Successes = successes;
    }

    /// <inheritdoc />
    public override long N { get; }

    /// <summary>Number of converted units.</summary>
    public double Successes { get; }

    /// <inheritdoc />
    public override double Sum => Successes;

    /// <inheritdoc />
    public override double Mean => N == 0 ? 0 : Successes / N;

    /// <inheritdoc />
    public override double Variance => Mean * (1 - Mean);
}

/// <summary>
/// A ratio metric Σm / Σd over units (for example revenue per session when units are users), with the per-unit
/// delta-method variance Var(m)/μ_d² + Var(d) μ_m²/μ_d⁴ − 2 Cov(m, d) μ_m/μ_d³.
/// </summary>
public sealed record RatioStatistic : MetricStatistic
{
    /// <summary>Creates the statistic from numerator and denominator sums and the cross sum Σ m·d.</summary>
    public RatioStatistic(MeanStatistic numerator, MeanStatistic denominator, double sumOfProducts)
    {
        ArgumentNullException.ThrowIfNull(numerator);
        ArgumentNullException.ThrowIfNull(denominator);
        if (numerator.N != denominator.N)
        {
            throw new ArgumentException("Numerator and denominator must cover the same units.", nameof(denominator));
        }
        Numerator = numerator;
        Denominator = denominator;
        SumOfProducts = sumOfProducts;
    }

    /// <summary>Per-unit numerator sums.</summary>
    public MeanStatistic Numerator { get; }

    /// <summary>Per-unit denominator sums.</summary>
    public MeanStatistic Denominator { get; }

    /// <summary>Σ m·d over units.</summary>
    public double SumOfProducts { get; }

    /// <inheritdoc />
    public override long N => Numerator.N;

    /// <inheritdoc />
    public override double Mean => Denominator.Sum == 0 ? 0 : Numerator.Sum / Denominator.Sum;

    /// <summary>Sample covariance of numerator and denominator (n − 1).</summary>
    public double Covariance => Covariances.Sample(N, Numerator.Sum, Denominator.Sum, SumOfProducts);

    /// <inheritdoc />
    public override double Variance
    {
        get
        {
            double meanM = Numerator.Mean;
            double meanD = Denominator.Mean;
            if (meanD == 0)
            {
                return 0;
            }
            return Numerator.Variance / (meanD * meanD)
                + Denominator.Variance * meanM * meanM / Math.Pow(meanD, 4)
                - 2 * Covariance * meanM / Math.Pow(meanD, 3);
        }
    }

    /// <summary>Aggregates raw per-unit numerator and denominator values.</summary>
    public static RatioStatistic FromValues(ReadOnlySpan<double> numerators, ReadOnlySpan<double> denominators)
    {
        if (numerators.Length != denominators.Length)
        {
            throw new ArgumentException("Numerators and denominators must have the same length.", nameof(denominators));
        }
        double products = 0;
        for (int i = 0; i < numerators.Length; i++)
        {
            products += numerators[i] * denominators[i];
        }
        return new RatioStatistic(MeanStatistic.FromValues(numerators), MeanStatistic.FromValues(denominators), products);
    }
}

/// <summary>
/// A CUPED (regression-adjusted) metric: the post-period metric Y adjusted by a pre-period covariate X,
/// Y − θ X, with θ = Cov(Y, X) / Var(X) estimated on both arms together (see <see cref="Cuped"/>).
/// </summary>
public sealed record CupedStatistic : MetricStatistic
{
    /// <summary>Creates the statistic; <paramref name="theta"/> is normally set by <see cref="Cuped.Adjust"/>.</summary>
    public CupedStatistic(SummableStatistic post, SummableStatistic pre, double sumOfProducts, double theta = 0)
    {
        ArgumentNullException.ThrowIfNull(post);
        ArgumentNullException.ThrowIfNull(pre);
        if (post.N != pre.N)
        {
            throw new ArgumentException("Post and pre statistics must cover the same units.", nameof(pre));
        }
        Post = post;
        Pre = pre;
        SumOfProducts = sumOfProducts;
        Theta = theta;
    }

    /// <summary>The post-period (outcome) statistic.</summary>
    public SummableStatistic Post { get; }

    /// <summary>The pre-period (covariate) statistic.</summary>
    public SummableStatistic Pre { get; }

    /// <summary>Σ y·x over units.</summary>
    public double SumOfProducts { get; }

    /// <summary>The adjustment coefficient θ.</summary>
    public double Theta { get; init; }

    /// <inheritdoc />
    public override long N => Post.N;

    /// <summary>Sample covariance of post and pre values (n − 1).</summary>
    public double Covariance => Covariances.Sample(N, Post.Sum, Pre.Sum, SumOfProducts);

    /// <inheritdoc />
    public override double Mean => Post.Mean - Theta * Pre.Mean;

    /// <inheritdoc />
    public override double UnadjustedMean => Post.Mean;

    /// <summary>Var(Y − θX) = Var(Y) + θ² Var(X) − 2θ Cov(Y, X) (0 when either variance is not positive, as in gbstats).</summary>
    public override double Variance => Post.Variance <= 0 || Pre.Variance <= 0
        ? 0
        : Post.Variance + Theta * Theta * Pre.Variance - 2 * Theta * Covariance;

    /// <summary>Aggregates raw per-unit post and pre values into a continuous CUPED statistic (θ still 0).</summary>
    public static CupedStatistic FromValues(ReadOnlySpan<double> post, ReadOnlySpan<double> pre)
    {
        if (post.Length != pre.Length)
        {
            throw new ArgumentException("Post and pre values must have the same length.", nameof(pre));
        }
        double products = 0;
        for (int i = 0; i < post.Length; i++)
        {
            products += post[i] * pre[i];
        }
        return new CupedStatistic(MeanStatistic.FromValues(post), MeanStatistic.FromValues(pre), products);
    }
}

internal static class Covariances
{
    public static double Sample(long n, double sumX, double sumY, double sumOfProducts) =>
        n < 2 ? 0 : (sumOfProducts - sumX * sumY / n) / (n - 1);
}
