using System.Text.Json;

namespace Warden.Statistics.Sketches;

/// <summary>Settings of a <see cref="NumericProfile"/>. Profiles merge only when their K and bin edges agree.</summary>
public sealed record NumericProfileOptions
{
    /// <summary>The KLL accuracy parameter (see <see cref="KllSketch"/>).</summary>
    public int KllK { get; init; } = KllSketch.DefaultK;

    /// <summary>Reference bin edges for the histogram, or null for no histogram.</summary>
    public IReadOnlyList<double>? BinEdges { get; init; }

    /// <summary>Seed of the KLL coins; null draws a random one (the right choice outside tests).</summary>
    public ulong? Seed { get; init; }
}

/// <summary>
/// A mergeable summary of one numeric feature over a window: counts, exact minimum and maximum, mean and variance
/// (Welford's update, Chan et al.'s parallel merge), a KLL quantile sketch, an optional histogram on reference bin
/// edges, and exact counts of the distinct values while there are at most <see cref="ExactValueCapacity"/> of them.
/// Memory is bounded whatever the traffic: O(k + log n) doubles for the sketch, B + 2 counts for the histogram,
/// at most 16 distinct values.
/// </summary>
/// <remarks>
/// NaN and ±∞ count as missing: they are not values a feature can drift continuously to, and one infinity would
/// make the mean and variance meaningless. Merging is exact for counts, missing, minimum, maximum, histogram and
/// distinct-value counts; the mean and M2 merge by Chan's formula, equal to a single pass up to rounding.
/// </remarks>
public sealed class NumericProfile
{
    /// <summary>How many distinct values are counted exactly before the profile stops tracking them.</summary>
    public const int ExactValueCapacity = 16;

    private readonly KllSketch _sketch;
    private readonly FixedBinHistogram? _histogram;
    private Dictionary<double, long>? _distinct = [];
    private double _mean;
    private double _m2;

    /// <summary>Creates an empty profile.</summary>
    /// <param name="options">Sketch size, reference bin edges and seed; defaults when null.</param>
    public NumericProfile(NumericProfileOptions? options = null)
    {
        options ??= new NumericProfileOptions();
        _sketch = new KllSketch(options.KllK, options.Seed);
        _histogram = options.BinEdges is null ? null : new FixedBinHistogram(options.BinEdges);
    }

    private NumericProfile(KllSketch sketch, FixedBinHistogram? histogram)
    {
        _sketch = sketch;
        _histogram = histogram;
    }

    /// <summary>Finite values seen.</summary>
    public long Count { get; private set; }

    /// <summary>Missing values seen (null, NaN, ±∞).</summary>
    public long Missing { get; private set; }

    /// <summary>All values seen, finite or missing.</summary>
    public long Rows => Count + Missing;

    /// <summary>The smallest finite value, or null when there is none.</summary>
    public double? Min => Count == 0 ? null : _sketch.Min;

    /// <summary>The largest finite value, or null when there is none.</summary>
    public double? Max => Count == 0 ? null : _sketch.Max;

    /// <summary>The mean of the finite values (0 when there are none).</summary>
    public double Mean => _mean;

    /// <summary>The sum of squared deviations from the mean (Welford's M2).</summary>
    public double SumOfSquaredDeviations => _m2;

    /// <summary>The population variance M2 / n (NaN when empty).</summary>
    public double PopulationVariance => Count == 0 ? double.NaN : _m2 / Count;

    /// <summary>The sample variance M2 / (n - 1) (NaN with fewer than two values).</summary>
    public double SampleVariance => Count < 2 ? double.NaN : _m2 / (Count - 1);

    /// <summary>The population standard deviation, √(M2 / n), as numpy.std computes it.</summary>
    public double PopulationStandardDeviation => Math.Sqrt(PopulationVariance);

    /// <summary>The quantile sketch of the finite values.</summary>
    public KllSketch Quantiles => _sketch;

    /// <summary>The histogram on reference bin edges, when the profile was created with edges.</summary>
    public FixedBinHistogram? Histogram => _histogram;

    /// <summary>Exact counts of each distinct finite value while there are at most
    /// <see cref="ExactValueCapacity"/> of them; null once there have been more.</summary>
    public IReadOnlyDictionary<double, long>? DistinctValueCounts => _distinct;

    /// <summary>Adds one observation; null, NaN and ±∞ count as missing.</summary>
    /// <param name="value">The observation.</param>
    public void Add(double? value)
    {
        if (value is not { } x || !double.IsFinite(x))
        {
            Missing++;
            return;
        }

        Count++;
        var delta = x - _mean;
        _mean += delta / Count;
        _m2 += delta * (x - _mean);
        _sketch.Add(x);
        _histogram?.Add(x);
        if (_distinct is not null)
        {
            if (_distinct.TryGetValue(x, out var seen))
            {
                _distinct[x] = seen + 1;
            }
            else if (_distinct.Count < ExactValueCapacity)
            {
                _distinct[x] = 1;
            }
            else
            {
                _distinct = null;
            }
        }
    }

    /// <summary>Adds every value of a span (NaN and ±∞ count as missing).</summary>
    /// <param name="values">The observations.</param>
    public void AddRange(ReadOnlySpan<double> values)
    {
        foreach (var value in values)
        {
            Add(value);
        }
    }

    /// <summary>A copy without the histogram (everything else kept), to merge with a profile binned on other edges.</summary>
    /// <returns>The copy.</returns>
    public NumericProfile WithoutHistogram() => FromState(new NumericProfileState
    {
        Version = 1,
        Count = Count,
        Missing = Missing,
        Mean = _mean,
        M2 = _m2,
        Kll = _sketch.ToState(),
        Histogram = null,
        DistinctValues = ToState().DistinctValues,
        DistinctCounts = ToState().DistinctCounts,
    });

    /// <summary>Whether <see cref="Merge(NumericProfile)"/> accepts <paramref name="other"/> (same K and bin edges).</summary>
    /// <param name="other">Another profile.</param>
    /// <returns>True when they merge.</returns>
    public bool CanMerge(NumericProfile other) =>
        other._sketch.K == _sketch.K && (_histogram is null) == (other._histogram is null) && (_histogram is null || _histogram.HasSameEdges(other._histogram!));

    /// <summary>Merges another profile into this one, as if its values had been added here.</summary>
    /// <param name="other">A profile with the same K and bin edges; it is not changed.</param>
    public void Merge(NumericProfile other)
    {
        if (ReferenceEquals(other, this))
        {
            other = Clone();
        }

        if ((_histogram is null) != (other._histogram is null)
            || (_histogram is not null && !_histogram.HasSameEdges(other._histogram!)))
        {
            throw new ArgumentException("Numeric profiles can only be merged when their histogram bin edges are identical.", nameof(other));
        }

        if (other._sketch.K != _sketch.K)
        {
            throw new ArgumentException($"Numeric profiles with KLL k = {_sketch.K} and k = {other._sketch.K} cannot be merged.", nameof(other));
        }

        if (other.Count > 0)
        {
            if (Count == 0)
            {
                _mean = other._mean;
                _m2 = other._m2;
            }
            else
            {
                // Chan, Golub and LeVeque (1979): combine means and M2 of two disjoint parts.
                double na = Count, nb = other.Count, n = na + nb;
                var delta = other._mean - _mean;
                _mean += delta * (nb / n);
                _m2 += other._m2 + delta * delta * (na * nb / n);
            }
        }

        Count += other.Count;
        Missing += other.Missing;
        _sketch.Merge(other._sketch);
        _histogram?.Merge(other._histogram!);
        _distinct = MergeDistinct(_distinct, other._distinct);
    }

    /// <summary>Merges two profiles into a new one, leaving both unchanged.</summary>
    /// <param name="a">The first profile.</param>
    /// <param name="b">The second profile (same K and bin edges).</param>
    /// <returns>The merged profile.</returns>
    public static NumericProfile Merge(NumericProfile a, NumericProfile b)
    {
        var merged = a.Clone();
        merged.Merge(b);
        return merged;
    }

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public NumericProfile Clone() => FromState(ToState());

    /// <summary>The profile as compact JSON, for persistence; <see cref="FromJson"/> restores it exactly.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(ToState(), StatisticsJsonContext.Default.NumericProfileState);

    /// <summary>Restores a profile written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="FormatException">The text is not a valid numeric profile.</exception>
    public static NumericProfile FromJson(string json)
        => FromState(Internal.StateJson.Read(json, StatisticsJsonContext.Default.NumericProfileState, "a numeric profile"));

    private static Dictionary<double, long>? MergeDistinct(Dictionary<double, long>? a, Dictionary<double, long>? b)
    {
        if (a is null || b is null)
        {
            return null;
        }

        var merged = new Dictionary<double, long>(a);
        foreach (var (value, count) in b)
        {
            merged[value] = merged.GetValueOrDefault(value) + count;
        }

        return merged.Count <= ExactValueCapacity ? merged : null;
    }

    internal NumericProfileState ToState()
    {
        double[]? distinctValues = null;
        long[]? distinctCounts = null;
        if (_distinct is not null)
        {
            distinctValues = [.. _distinct.Keys.Order()];
            distinctCounts = [.. distinctValues.Select(v => _distinct[v])];
        }

        return new NumericProfileState
        {
            Version = 1,
            Count = Count,
            Missing = Missing,
            Mean = _mean,
            M2 = _m2,
            Kll = _sketch.ToState(),
            Histogram = _histogram?.ToState(),
            DistinctValues = distinctValues,
            DistinctCounts = distinctCounts,
        };
    }

    internal static NumericProfile FromState(NumericProfileState state)
    {
        if (state.Version != 1)
        {
            throw new FormatException($"Numeric profile format version {state.Version} is not supported (expected 1).");
        }

        if (state.Kll is null)
        {
            throw new FormatException("A numeric profile needs its KLL sketch.");
        }

        var sketch = KllSketch.FromState(state.Kll);
        if (sketch.Count != state.Count || state.Missing < 0)
        {
            throw new FormatException($"The profile counts {state.Count} values but its sketch holds {sketch.Count}.");
        }

        if (!double.IsFinite(state.Mean) || !(state.M2 >= 0) || double.IsInfinity(state.M2))
        {
            throw new FormatException("A numeric profile's mean and M2 must be finite, and M2 non-negative.");
        }

        var histogram = state.Histogram is null ? null : FixedBinHistogram.FromState(state.Histogram);
        if (histogram is not null && histogram.Total != state.Count)
        {
            throw new FormatException($"The histogram counts {histogram.Total} values but the profile {state.Count}.");
        }

        Dictionary<double, long>? distinct = null;
        if (state.DistinctValues is not null || state.DistinctCounts is not null)
        {
            if (state.DistinctValues is null || state.DistinctCounts is null
                || state.DistinctValues.Length != state.DistinctCounts.Length
                || state.DistinctValues.Length > ExactValueCapacity)
            {
                throw new FormatException("Distinct values and their counts must be two arrays of the same length, at most 16.");
            }

            distinct = [];
            for (var i = 0; i < state.DistinctValues.Length; i++)
            {
                if (!double.IsFinite(state.DistinctValues[i]) || state.DistinctCounts[i] <= 0
                    || !distinct.TryAdd(state.DistinctValues[i], state.DistinctCounts[i]))
                {
                    throw new FormatException("Distinct values must be finite and unique, with positive counts.");
                }
            }

            if (distinct.Values.Sum() != state.Count)
            {
                throw new FormatException("The distinct-value counts do not add up to the profile's count.");
            }
        }

        return new NumericProfile(sketch, histogram)
        {
            Count = state.Count,
            Missing = state.Missing,
            _mean = state.Mean,
            _m2 = state.M2,
            _distinct = distinct,
        };
    }
}
