using Warden.Statistics.Internal;

namespace Warden.Statistics.Sketches;

/// <summary>
/// A KLL quantile sketch (Karnin, Lang and Liberty, "Optimal Quantile Approximation in Streams", FOCS 2016):
/// a stack of compactors where level h holds items of weight 2^h. When the sketch is full, the lowest level over
/// its capacity is sorted and compacted: every other item (odd or even positions, by a fair coin) moves up one
/// level with twice the weight. Capacities shrink geometrically (ratio 2/3) below the top level, whose capacity is k.
/// </summary>
/// <remarks>
/// <para><b>Error bound.</b> For any query x, a compaction at level h changes the estimated rank of x by 0 or
/// ±2^h with equal probability, independently of the past, so the rank error is a martingale. The sketch tracks
/// V = Σ 4^h and W = Σ 2^h over every compaction it (and every sketch merged into it) has performed; by
/// Azuma–Hoeffding, for a fixed x, |R̂(x) - R(x)| ≤ √(2 V ln(2/δ)) with probability ≥ 1 - δ, and because the
/// error is a step function with at most n + 1 distinct values, simultaneously for all x with
/// √(2 V ln(2(n + 1)/δ)) (<see cref="CdfErrorBound"/>). The deterministic bound |R̂(x) - R(x)| ≤ W always holds
/// (<see cref="WorstCaseCdfError"/>). For k = 200 the uniform 99.9% bound is 2.2–2.6% of n for n from 10⁴ to 10⁷
/// (1.5% for a single query); it falls as 1/k.
/// The probabilistic bound needs independent coins: give sketches that will be merged different seeds (the
/// default seed comes from the operating system's generator).</para>
/// <para><b>Memory.</b> At most 3k + 2(⌊log₂ n⌋ + 1) values are retained (<see cref="MaxRetainedItems"/>), so
/// fewer than 3k + 130 for any stream shorter than 2^63.</para>
/// </remarks>
public sealed class KllSketch
{
    /// <summary>The default accuracy parameter: at most about 2.6% uniform CDF error at 99.9% confidence.</summary>
    public const int DefaultK = 200;

    /// <summary>The smallest accepted accuracy parameter.</summary>
    public const int MinK = 8;

    private const double CapacityRatio = 2.0 / 3.0;

    private readonly List<List<double>> _levels = [];
    private SplitMix64 _random;
    private int _size;
    private int _maxSize;
    private long _count;
    private double _min = double.NaN;
    private double _max = double.NaN;
    private double _varianceSum;
    private double _worstCaseSum;
    private SortedView? _view;

    /// <summary>Creates an empty sketch.</summary>
    /// <param name="k">Accuracy parameter (capacity of the top compactor), at least <see cref="MinK"/>.</param>
    /// <param name="seed">Seed of the compaction coins; by default a random one. Fix it only for reproducible tests,
    /// and never give two sketches that will be merged the same seed.</param>
    public KllSketch(int k = DefaultK, ulong? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, MinK);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, 1 << 16);
        K = k;
        _random = new SplitMix64(seed ?? SplitMix64.RandomSeed());
        Grow();
    }

    /// <summary>The accuracy parameter.</summary>
    public int K { get; }

    /// <summary>The number of values added (including those merged in).</summary>
    public long Count => _count;

    /// <summary>The smallest value added, or NaN when empty.</summary>
    public double Min => _min;

    /// <summary>The largest value added, or NaN when empty.</summary>
    public double Max => _max;

    /// <summary>The number of values the sketch holds now.</summary>
    public int RetainedItems => _size;

    /// <summary>The number of compactor levels.</summary>
    public int LevelCount => _levels.Count;

    /// <summary>Σ 4^h over all compactions so far: the variance proxy of the rank error.</summary>
    public double CompactionVariance => _varianceSum;

    /// <summary>Σ 2^h over all compactions so far: the worst-case rank error.</summary>
    public double CompactionWorstCase => _worstCaseSum;

    /// <summary>Whether no compaction has happened yet, in which case ranks and quantiles are exact.</summary>
    public bool IsExact => _worstCaseSum == 0;

    /// <summary>The most values a sketch with parameter <paramref name="k"/> retains after
    /// <paramref name="count"/> values: 3k + 2(⌊log₂ count⌋ + 1).</summary>
    /// <param name="k">The accuracy parameter.</param>
    /// <param name="count">The number of values added.</param>
    /// <returns>The bound on <see cref="RetainedItems"/>.</returns>
    public static int MaxRetainedItems(int k, long count) =>
        3 * k + 2 * ((count <= 1 ? 0 : 63 - (int)ulong.LeadingZeroCount((ulong)count)) + 1);

    /// <summary>Adds one value.</summary>
    /// <param name="value">A value that is not NaN (infinities are ordered like any value).</param>
    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentException("A quantile sketch cannot hold NaN; count it as missing instead.", nameof(value));
        }

        _view = null;
        _levels[0].Add(value);
        _size++;
        _count++;
        if (_count == 1)
        {
            _min = value;
            _max = value;
        }
        else
        {
            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
        }

        if (_size >= _maxSize)
        {
            CompressOnce();
        }
    }

    /// <summary>Merges another sketch into this one. The result summarises the concatenation of both streams,
    /// with the error budgets of both plus that of the compactions the merge performs.</summary>
    /// <param name="other">A sketch with the same <see cref="K"/>; it is not changed.</param>
    public void Merge(KllSketch other)
    {
        if (other.K != K)
        {
            throw new ArgumentException($"Cannot merge KLL sketches with k = {K} and k = {other.K}.", nameof(other));
        }

        if (ReferenceEquals(other, this))
        {
            other = Clone();
        }

        if (other._count == 0)
        {
            return;
        }

        _view = null;
        while (_levels.Count < other._levels.Count)
        {
            Grow();
        }

        for (var h = 0; h < other._levels.Count; h++)
        {
            _levels[h].AddRange(other._levels[h]);
        }

        _min = _count == 0 ? other._min : Math.Min(_min, other._min);
        _max = _count == 0 ? other._max : Math.Max(_max, other._max);
        _count += other._count;
        _size += other._size;
        _varianceSum += other._varianceSum;
        _worstCaseSum += other._worstCaseSum;
        _random = new SplitMix64(SplitMix64.Combine(_random.State, other._random.State));
        while (_size >= _maxSize)
        {
            CompressOnce();
        }
    }

    /// <summary>A deep copy, continuing the same coin sequence.</summary>
    /// <returns>The copy.</returns>
    public KllSketch Clone() => FromState(ToState());

    /// <summary>The estimated number of values ≤ <paramref name="x"/>.</summary>
    /// <param name="x">The query point.</param>
    /// <returns>A weight in [0, <see cref="Count"/>].</returns>
    public long Rank(double x)
    {
        var view = View();
        var index = UpperBound(view.Values, x);
        return index == 0 ? 0 : view.CumulativeWeights[index - 1];
    }

    /// <summary>The estimated fraction of values ≤ <paramref name="x"/> (0 when empty).</summary>
    /// <param name="x">The query point.</param>
    /// <returns>The estimated empirical CDF at x.</returns>
    public double Cdf(double x) => _count == 0 ? 0.0 : (double)Rank(x) / _count;

    /// <summary>The estimated q-quantile: the smallest retained value whose estimated rank is at least q n.
    /// Its true rank satisfies #(values &lt; y) ≤ (q + ε) n and #(values ≤ y) ≥ (q - ε) n, where ε is the
    /// CDF error bound. q ≤ 0 gives the exact minimum and q ≥ 1 the exact maximum.</summary>
    /// <param name="q">The probability, in [0, 1].</param>
    /// <returns>The quantile, or NaN when the sketch is empty.</returns>
    public double Quantile(double q)
    {
        if (double.IsNaN(q))
        {
            throw new ArgumentException("The quantile's probability must be a number in [0, 1].", nameof(q));
        }

        if (_count == 0)
        {
            return double.NaN;
        }

        if (q <= 0)
        {
            return _min;
        }

        if (q >= 1)
        {
            return _max;
        }

        var view = View();
        var target = q * _count;
        var lo = 0;
        var hi = view.Values.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (view.CumulativeWeights[mid] >= target)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return view.Values[lo];
    }

    /// <summary>A bound ε on |F̂(x) - F(x)| that holds for all x simultaneously with probability at least
    /// 1 - <paramref name="delta"/>: min(W, √(2 V ln(2(n + 1)/δ))) / n. Zero while the sketch is exact.</summary>
    /// <param name="delta">The failure probability, in (0, 1).</param>
    /// <returns>The normalized rank error bound.</returns>
    public double CdfErrorBound(double delta = 1e-3)
    {
        CheckDelta(delta);
        if (_count == 0 || _worstCaseSum == 0)
        {
            return 0.0;
        }

        var probabilistic = Math.Sqrt(2.0 * _varianceSum * Math.Log(2.0 * (_count + 1.0) / delta));
        return Math.Min(_worstCaseSum, probabilistic) / _count;
    }

    /// <summary>A bound on |F̂(x) - F(x)| for one query point x chosen independently of the sketch's coins,
    /// holding with probability at least 1 - <paramref name="delta"/>: min(W, √(2 V ln(2/δ))) / n.</summary>
    /// <param name="delta">The failure probability, in (0, 1).</param>
    /// <returns>The normalized rank error bound.</returns>
    public double SingleQueryCdfErrorBound(double delta = 1e-3)
    {
        CheckDelta(delta);
        if (_count == 0 || _worstCaseSum == 0)
        {
            return 0.0;
        }

        return Math.Min(_worstCaseSum, Math.Sqrt(2.0 * _varianceSum * Math.Log(2.0 / delta))) / _count;
    }

    /// <summary>The deterministic bound W / n on |F̂(x) - F(x)|, whatever the coins did.</summary>
    public double WorstCaseCdfError => _count == 0 ? 0.0 : _worstCaseSum / _count;

    /// <summary>The retained values in ascending order with their weights (a copy).</summary>
    /// <returns>Values and the weight of each.</returns>
    public (double[] Values, long[] Weights) WeightedValues()
    {
        var view = View();
        var weights = new long[view.Values.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = view.CumulativeWeights[i] - (i == 0 ? 0 : view.CumulativeWeights[i - 1]);
        }

        return ((double[])view.Values.Clone(), weights);
    }

    internal SortedView View()
    {
        if (_view is { } cached)
        {
            return cached;
        }

        var values = new double[_size];
        var levelOf = new byte[_size];
        var position = 0;
        for (var h = 0; h < _levels.Count; h++)
        {
            foreach (var value in _levels[h])
            {
                values[position] = value;
                levelOf[position] = (byte)h;
                position++;
            }
        }

        Array.Sort(values, levelOf);
        var cumulative = new long[_size];
        long running = 0;
        for (var i = 0; i < _size; i++)
        {
            running += 1L << levelOf[i];
            cumulative[i] = running;
        }

        _view = new SortedView(values, cumulative);
        return _view;
    }

    /// <summary>The first index whose value is greater than x.</summary>
    internal static int UpperBound(double[] sorted, double x)
    {
        var lo = 0;
        var hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static void CheckDelta(double delta)
    {
        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The failure probability must lie in (0, 1).");
        }
    }

    private int Capacity(int level)
    {
        var depth = _levels.Count - 1 - level;
        return Math.Max(2, (int)Math.Ceiling(K * Math.Pow(CapacityRatio, depth)));
    }

    private void Grow()
    {
        _levels.Add([]);
        var total = 0;
        for (var h = 0; h < _levels.Count; h++)
        {
            total += Capacity(h);
        }

        _maxSize = total;
    }

    /// <summary>Compacts the lowest level that is at or over its capacity (one exists while size ≥ max size).</summary>
    private void CompressOnce()
    {
        for (var h = 0; h < _levels.Count; h++)
        {
            if (_levels[h].Count >= Capacity(h))
            {
                if (h + 1 >= _levels.Count)
                {
                    Grow();
                }

                Compact(h);
                return;
            }
        }
    }

    private void Compact(int level)
    {
        var buffer = _levels[level];
        var above = _levels[level + 1];
        buffer.Sort();
        // With an odd count the smallest value stays behind; the rest are paired and one of each pair moves up.
        var start = buffer.Count % 2;
        var offset = _random.NextBit() ? 1 : 0;
        var promoted = (buffer.Count - start) / 2;
        for (var i = 0; i < promoted; i++)
        {
            above.Add(buffer[start + 2 * i + offset]);
        }

        var removed = buffer.Count - start;
        buffer.RemoveRange(start, removed);
        _size -= removed - promoted;
        var weight = Math.ScaleB(1.0, level);
        _varianceSum += weight * weight;
        _worstCaseSum += weight;
    }

    internal KllState ToState()
    {
        var levels = new double[_levels.Count][];
        for (var h = 0; h < levels.Length; h++)
        {
            levels[h] = [.. _levels[h]];
        }

        return new KllState
        {
            K = K,
            Count = _count,
            Min = _count == 0 ? null : _min,
            Max = _count == 0 ? null : _max,
            Levels = levels,
            Variance = _varianceSum,
            WorstCase = _worstCaseSum,
            Random = _random.State,
        };
    }

    internal static KllSketch FromState(KllState state)
    {
        if (state.K < MinK || state.K > 1 << 16)
        {
            throw new FormatException($"A KLL sketch's k must lie in [{MinK}, 65536]; found {state.K}.");
        }

        if (state.Levels is null || state.Levels.Length == 0 || state.Levels.Length > 64)
        {
            throw new FormatException("A KLL sketch needs between 1 and 64 levels.");
        }

        var sketch = new KllSketch(state.K, state.Random);
        while (sketch._levels.Count < state.Levels.Length)
        {
            sketch.Grow();
        }

        long weight = 0;
        for (var h = 0; h < state.Levels.Length; h++)
        {
            var level = state.Levels[h] ?? throw new FormatException($"KLL level {h} is missing.");
            foreach (var value in level)
            {
                if (double.IsNaN(value))
                {
                    throw new FormatException("A KLL sketch cannot hold NaN.");
                }
            }

            sketch._levels[h].AddRange(level);
            sketch._size += level.Length;
            weight += (long)level.Length << h;
        }

        if (weight != state.Count || state.Count < 0)
        {
            throw new FormatException($"The KLL levels weigh {weight} but the sketch claims {state.Count} values.");
        }

        if (state.Count > 0 && (state.Min is not { } min || state.Max is not { } max || min > max))
        {
            throw new FormatException("A non-empty KLL sketch needs its minimum and maximum.");
        }

        if (!(state.Variance >= 0) || !(state.WorstCase >= 0))
        {
            throw new FormatException("A KLL sketch's error sums must be non-negative.");
        }

        sketch._count = state.Count;
        sketch._min = state.Min ?? double.NaN;
        sketch._max = state.Max ?? double.NaN;
        sketch._varianceSum = state.Variance;
        sketch._worstCaseSum = state.WorstCase;
        while (sketch._size >= sketch._maxSize)
        {
            sketch.CompressOnce();
        }

        return sketch;
    }

    internal sealed record SortedView(double[] Values, long[] CumulativeWeights);
}
