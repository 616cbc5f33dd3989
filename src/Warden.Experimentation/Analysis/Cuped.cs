namespace Warden.Experimentation.Analysis;

/// <summary>
/// CUPED variance reduction (Deng, Xu, Kohavi and Walker, WSDM 2013): subtracting θ·X, where X is a pre-period
/// covariate and θ = Cov(Y, X) / Var(X), removes the part of the outcome's variance that X explains, without bias
/// because X is measured before assignment. θ is estimated once on both arms together (as gbstats does), so the same
/// adjustment applies to each arm and the difference of adjusted means stays unbiased.
/// </summary>
public static class Cuped
{
    /// <summary>θ = Cov(Y, X) / Var(X) on the pooled arms (0 when either pooled variance is zero).</summary>
    public static double PooledTheta(CupedStatistic control, CupedStatistic treatment)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(treatment);
        long n = control.N + treatment.N;
        SummableStatistic post = Join(control.Post, treatment.Post, n);
        SummableStatistic pre = Join(control.Pre, treatment.Pre, n);
        if (pre.Variance == 0 || post.Variance == 0)
        {
            return 0;
        }
        double covariance = Covariances.Sample(n, post.Sum, pre.Sum, control.SumOfProducts + treatment.SumOfProducts);
        return covariance / pre.Variance;
    }

    /// <summary>Both arms with the pooled θ applied.</summary>
    public static (CupedStatistic Control, CupedStatistic Treatment) Adjust(CupedStatistic control, CupedStatistic treatment)
    {
        double theta = PooledTheta(control, treatment);
        return (control with { Theta = theta }, treatment with { Theta = theta });
    }

    /// <summary>
    /// The share of variance removed, 1 − Var(Y − θX)/Var(Y), for one arm; about ρ² where ρ is the correlation of Y and X.
    /// </summary>
    public static double VarianceReduction(CupedStatistic statistic)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        return statistic.Post.Variance <= 0 ? 0 : 1 - statistic.Variance / statistic.Post.Variance;
    }

    private static SummableStatistic Join(SummableStatistic a, SummableStatistic b, long n) => (a, b) switch
    {
        (MeanStatistic x, MeanStatistic y) => x.Combine(y),
        (ProportionStatistic x, ProportionStatistic y) => new ProportionStatistic(n, x.Successes + y.Successes),
        _ => throw new ArgumentException("Both arms must use the same kind of CUPED statistic."),
    };
}
