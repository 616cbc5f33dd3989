namespace Warden.Experimentation.Assignment;

/// <summary>A half-open interval [Start, End) of the hash space [0, 1) that maps to one variation.</summary>
/// <param name="Start">Inclusive lower bound.</param>
/// <param name="End">Exclusive upper bound.</param>
public readonly record struct BucketRange(double Start, double End)
{
    /// <summary>Whether <paramref name="bucket"/> lies in [Start, End).</summary>
    public bool Contains(double bucket) => bucket >= Start && bucket < End;
}

/// <summary>A namespace slice: experiments in the same namespace with disjoint [Start, End) slices are mutually exclusive.</summary>
/// <param name="Id">The namespace name; units are hashed with seed <c>"__" + Id</c> (hash version 1, as the SDKs do).</param>
/// <param name="Start">Inclusive start of this experiment's slice.</param>
/// <param name="End">Exclusive end of this experiment's slice.</param>
public sealed record ExperimentNamespace(string Id, double Start, double End);

/// <summary>
/// GrowthBook's bucketing primitives: equal weights, bucket ranges from weights and coverage, choosing a variation
/// for a bucket, and namespace membership. Pure functions of their arguments.
/// </summary>
public static class Bucketing
{
    /// <summary>n equal weights of 1/n (empty for n ≤ 0).</summary>
    public static double[] EqualWeights(int variationCount)
    {
        if (variationCount <= 0)
        {
            return [];
        }
        var weights = new double[variationCount];
        Array.Fill(weights, 1.0 / variationCount);
        return weights;
    }

    /// <summary>
    /// The bucket range of each variation (<c>getBucketRanges</c>): variation i starts at the cumulative weight of the
    /// variations before it and covers <c>coverage × weight[i]</c> of the hash space. Coverage is clamped to [0, 1];
    /// weights of the wrong length, or summing outside [0.99, 1.01], fall back to equal weights.
    /// </summary>
    public static BucketRange[] GetBucketRanges(int variationCount, double coverage = 1, IReadOnlyList<double>? weights = null)
    {
        coverage = coverage < 0 ? 0 : coverage > 1 ? 1 : coverage;
        IReadOnlyList<double> effective = weights ?? EqualWeights(variationCount);
        if (effective.Count != variationCount)
        {
            effective = EqualWeights(variationCount);
        }
        double total = 0;
        foreach (double w in effective)
        {
            total += w;
        }
        if (total < 0.99 || total > 1.01)
        {
            effective = EqualWeights(variationCount);
        }
        var ranges = new BucketRange[effective.Count];
        double cumulative = 0;
        for (int i = 0; i < ranges.Length; i++)
        {
            double start = cumulative;
            cumulative += effective[i];
            ranges[i] = new BucketRange(start, start + coverage * effective[i]);
        }
        return ranges;
    }

    /// <summary>The index of the first range containing <paramref name="bucket"/>, or −1 when none does (<c>chooseVariation</c>).</summary>
    public static int ChooseVariation(double bucket, IReadOnlyList<BucketRange> ranges)
    {
        for (int i = 0; i < ranges.Count; i++)
        {
            if (ranges[i].Contains(bucket))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Whether the unit falls in the namespace slice (<c>inNamespace</c>): hash("__" + id, unit, 1) ∈ [Start, End).</summary>
    public static bool InNamespace(string unitId, ExperimentNamespace experimentNamespace)
    {
        double? n = GrowthBookHash.Hash("__" + experimentNamespace.Id, unitId, 1);
        return n is { } value && value >= experimentNamespace.Start && value < experimentNamespace.End;
    }
}
