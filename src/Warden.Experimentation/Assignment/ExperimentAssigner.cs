namespace Warden.Experimentation.Assignment;

/// <summary>
/// A hash filter (GrowthBook's experiment <c>filters</c>): the unit passes when hash(Seed, unit, HashVersion) lies in
/// one of <see cref="Ranges"/>. Filters on a shared seed carve mutually exclusive populations out of the hash space.
/// </summary>
/// <param name="Seed">The filter's own seed, independent of the experiment's.</param>
/// <param name="Ranges">Accepted parts of [0, 1).</param>
/// <param name="HashVersion">GrowthBook hash version (filters default to 2).</param>
/// <param name="Attribute">Attribute whose value is hashed; null uses the experiment's hash attribute.</param>
public sealed record HashFilter(string Seed, IReadOnlyList<BucketRange> Ranges, int HashVersion = 2, string? Attribute = null);

/// <summary>
/// A holdout group: the fraction of units whose hash under <see cref="Seed"/> lies in [0, Fraction) is kept out of
/// every experiment that lists this holdout, so their outcomes measure the combined effect of all those experiments.
/// It is the exclusion half of a <see cref="HashFilter"/> (the unit must hash into [Fraction, 1) to be eligible).
/// </summary>
/// <param name="Seed">Seed shared by all experiments under the holdout (for example "holdout-2026q4").</param>
/// <param name="Fraction">Share of units held out, in [0, 1].</param>
/// <param name="HashVersion">GrowthBook hash version (2 by default).</param>
public sealed record Holdout(string Seed, double Fraction, int HashVersion = 2)
{
    /// <summary>Whether the unit is in the held-out group.</summary>
    public bool IsHeldOut(string unitId) => GrowthBookHash.Hash(Seed, unitId, HashVersion) is not { } n || n < Fraction;

    /// <summary>The equivalent eligibility filter, [Fraction, 1).</summary>
    public HashFilter ToFilter() => new(Seed, [new BucketRange(Fraction, 1)], HashVersion);
}

/// <summary>An experiment as far as assignment is concerned (GrowthBook's experiment object, less targeting conditions).</summary>
public sealed record ExperimentDefinition
{
    /// <summary>The experiment key; also the hash seed when <see cref="Seed"/> is null.</summary>
    public required string Key { get; init; }

    /// <summary>Number of variations, control included (at least 2 to run).</summary>
    public required int VariationCount { get; init; }

    /// <summary>Traffic weights per variation (summing to 1); null means equal weights.</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>Share of eligible units included, in [0, 1].</summary>
    public double Coverage { get; init; } = 1;

    /// <summary>Hash seed; null uses <see cref="Key"/>.</summary>
    public string? Seed { get; init; }

    /// <summary>GrowthBook hash version. The SDK default is 1; new Warden experiments should set 2.</summary>
    public int HashVersion { get; init; } = 1;

    /// <summary>Name of the attribute hashed to assign units ("id" by default).</summary>
    public string HashAttribute { get; init; } = "id";

    /// <summary>Optional namespace slice for mutual exclusion; ignored when <see cref="Filters"/> are present (as in the SDKs).</summary>
    public ExperimentNamespace? Namespace { get; init; }

    /// <summary>Optional hash filters; all must pass.</summary>
    public IReadOnlyList<HashFilter>? Filters { get; init; }

    /// <summary>Explicit bucket ranges; when set, <see cref="Weights"/> and <see cref="Coverage"/> are ignored.</summary>
    public IReadOnlyList<BucketRange>? Ranges { get; init; }

    /// <summary>Holdout groups this experiment respects.</summary>
    public IReadOnlyList<Holdout>? Holdouts { get; init; }
}

/// <summary>Why a unit is or is not in an experiment.</summary>
public enum AssignmentOutcome
{
    /// <summary>The unit was assigned a variation.</summary>
    Assigned,

    /// <summary>The experiment has fewer than two variations.</summary>
    TooFewVariations,

    /// <summary>The hash attribute is missing or empty.</summary>
    MissingHashAttribute,

    /// <summary>The unit is in a holdout group.</summary>
    HeldOut,

    /// <summary>A hash filter excluded the unit.</summary>
    FilteredOut,

    /// <summary>The unit is outside the experiment's namespace slice.</summary>
    NotInNamespace,

    /// <summary>The hash version is not 1 or 2.</summary>
    UnsupportedHashVersion,

    /// <summary>The unit's bucket is outside every variation's range (coverage below 1).</summary>
    OutsideCoverage,
}

/// <summary>The result of assigning one unit.</summary>
/// <param name="InExperiment">Whether the unit takes part.</param>
/// <param name="VariationIndex">The assigned variation, or 0 (control is served) when not in the experiment.</param>
/// <param name="Bucket">The unit's hash in [0, 1) when it was computed.</param>
/// <param name="HashUsed">Whether the hash decided the variation (GrowthBook's <c>hashUsed</c>).</param>
/// <param name="Outcome">Why.</param>
public sealed record VariationAssignment(bool InExperiment, int VariationIndex, double? Bucket, bool HashUsed, AssignmentOutcome Outcome);

/// <summary>
/// Deterministic, sticky assignment of units to variations, following the GrowthBook SDK's <c>run</c> for the parts
/// that depend only on hashing: holdouts and filters, namespace, bucket ranges from weights and coverage (or explicit
/// ranges), then <see cref="Bucketing.ChooseVariation"/>. The result is a pure function of the definition and the
/// unit's attributes, so any GrowthBook SDK given the same experiment assigns the same variation.
/// </summary>
public static class ExperimentAssigner
{
    /// <summary>Assigns the unit whose hash attribute ("id" unless the experiment says otherwise) is <paramref name="unitId"/>.</summary>
    public static VariationAssignment Assign(ExperimentDefinition experiment, string unitId)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        return Assign(experiment, new Dictionary<string, string>(StringComparer.Ordinal) { [experiment.HashAttribute] = unitId ?? string.Empty });
    }

    /// <summary>Assigns a unit described by its attributes (filters may hash another attribute than the experiment).</summary>
    public static VariationAssignment Assign(ExperimentDefinition experiment, IReadOnlyDictionary<string, string> attributes)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(attributes);
        if (experiment.VariationCount < 2)
        {
            return NotIn(AssignmentOutcome.TooFewVariations);
        }
        if (!attributes.TryGetValue(experiment.HashAttribute, out string? hashValue) || string.IsNullOrEmpty(hashValue))
        {
            return NotIn(AssignmentOutcome.MissingHashAttribute);
        }
        if (experiment.Holdouts is { } holdouts)
        {
            foreach (Holdout holdout in holdouts)
            {
                if (holdout.IsHeldOut(hashValue))
                {
                    return NotIn(AssignmentOutcome.HeldOut);
                }
            }
        }
        if (experiment.Filters is { Count: > 0 } filters)
        {
            if (IsFilteredOut(filters, experiment.HashAttribute, attributes))
            {
                return NotIn(AssignmentOutcome.FilteredOut);
            }
        }
        else if (experiment.Namespace is { } ns && !Bucketing.InNamespace(hashValue, ns))
        {
            return NotIn(AssignmentOutcome.NotInNamespace);
        }
        IReadOnlyList<BucketRange> ranges = experiment.Ranges
            ?? Bucketing.GetBucketRanges(experiment.VariationCount, experiment.Coverage, experiment.Weights);
        double? bucket = GrowthBookHash.Hash(experiment.Seed ?? experiment.Key, hashValue, experiment.HashVersion);
        if (bucket is not { } n)
        {
            return NotIn(AssignmentOutcome.UnsupportedHashVersion);
        }
        int variation = Bucketing.ChooseVariation(n, ranges);
        return variation < 0
            ? new VariationAssignment(false, 0, n, false, AssignmentOutcome.OutsideCoverage)
            : new VariationAssignment(true, variation, n, true, AssignmentOutcome.Assigned);
    }

    private static bool IsFilteredOut(IReadOnlyList<HashFilter> filters, string hashAttribute, IReadOnlyDictionary<string, string> attributes)
    {
        foreach (HashFilter filter in filters)
        {
            if (!attributes.TryGetValue(filter.Attribute ?? hashAttribute, out string? value) || string.IsNullOrEmpty(value))
            {
                return true;
            }
            if (GrowthBookHash.Hash(filter.Seed, value, filter.HashVersion) is not { } n)
            {
                return true;
            }
            bool inside = false;
            foreach (BucketRange range in filter.Ranges)
            {
                if (range.Contains(n))
                {
                    inside = true;
                    break;
                }
            }
            if (!inside)
            {
                return true;
            }
        }
        return false;
    }

    private static VariationAssignment NotIn(AssignmentOutcome outcome) => new(false, 0, null, false, outcome);
}
