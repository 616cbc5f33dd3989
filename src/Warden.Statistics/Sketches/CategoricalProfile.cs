using System.Text.Json;

namespace Warden.Statistics.Sketches;

/// <summary>
/// A mergeable summary of one categorical feature over a window: the number of values, the number missing, and a
/// Misra–Gries frequent-items sketch with at most <see cref="Capacity"/> counters; the mass it does not attribute to
/// a tracked category is the "other" bucket.
/// </summary>
/// <remarks>
/// <para><b>Error bound</b> (Misra and Gries 1982; mergeable by Agarwal et al., "Mergeable Summaries", 2012): every
/// estimate is a lower bound, and for every category c, f(c) - <see cref="MaxUndercount"/> ≤ f̂(c) ≤ f(c), where
/// MaxUndercount = ⌊<see cref="Other"/> / (k + 1)⌋ ≤ n / (k + 1). Each reduction subtracts the same amount from at
/// least k + 1 counters (the newcomer included), so it removes at least k + 1 times what any one category loses,
/// and the removed mass is exactly <see cref="Other"/>. Categories with no counter have f(c) ≤ MaxUndercount.</para>
/// <para>While the feature has at most k distinct categories nothing is ever reduced: <see cref="IsExact"/> is true,
/// <see cref="Other"/> is 0 and the counts are exact. Merging adds counters and reduces once by the (k+1)-th largest
/// count, so the bound above holds for merged profiles too (with the merged n and Other).</para>
/// <para><b>Memory</b>: at most k counters, whatever the traffic.</para>
/// </remarks>
public sealed class CategoricalProfile
{
    /// <summary>The default number of counters.</summary>
    public const int DefaultCapacity = 256;

    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Creates an empty profile.</summary>
    /// <param name="capacity">The number of counters k, at least 2.</param>
    public CategoricalProfile(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 20);
        Capacity = capacity;
    }

    /// <summary>The number of counters k.</summary>
    public int Capacity { get; }

    /// <summary>Non-missing values seen.</summary>
    public long Count { get; private set; }

    /// <summary>Missing values seen (null).</summary>
    public long Missing { get; private set; }

    /// <summary>All values seen, present or missing.</summary>
    public long Rows => Count + Missing;

    /// <summary>The estimated count of each tracked category (a lower bound on the true count).</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>The "other" bucket: the mass not attributed to a tracked category, Count - Σ counts.</summary>
    public long Other { get; private set; }

    /// <summary>The most any category's count can be underestimated: ⌊Other / (k + 1)⌋.</summary>
    public long MaxUndercount => Other / (Capacity + 1L);

    /// <summary>True while every count is exact (no reduction has happened).</summary>
    public bool IsExact => Other == 0;

    /// <summary>The estimated count of <paramref name="category"/> (0 when it is not tracked).</summary>
    /// <param name="category">The category.</param>
    /// <returns>A lower bound on the true count, at most <see cref="MaxUndercount"/> below it.</returns>
    public long EstimateCount(string category) => _counts.GetValueOrDefault(category);

    /// <summary>Adds one observation; null counts as missing.</summary>
    /// <param name="category">The category, or null.</param>
    public void Add(string? category) => Add(category, 1);

    /// <summary>Adds <paramref name="weight"/> observations of the same category; null counts as missing.</summary>
    /// <param name="category">The category, or null.</param>
    /// <param name="weight">How many, at least 1.</param>
    public void Add(string? category, long weight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        if (category is null)
        {
            Missing += weight;
            return;
        }

        Count += weight;
        if (_counts.TryGetValue(category, out var seen))
        {
            _counts[category] = seen + weight;
            return;
        }

        if (_counts.Count < Capacity)
        {
            _counts[category] = weight;
            return;
        }

        if (weight == 1)
        {
            // The classic Misra–Gries step: the newcomer and every counter lose one.
            DecrementAll(1);
            Other += Capacity + 1L;
            return;
        }

        _counts[category] = weight;
        Reduce();
    }

    /// <summary>Merges another profile into this one (Agarwal et al.'s merge: add counters, then reduce once).</summary>
    /// <param name="other">A profile with the same capacity; it is not changed.</param>
    public void Merge(CategoricalProfile other)
    {
        if (other.Capacity != Capacity)
        {
            throw new ArgumentException($"Categorical profiles with {Capacity} and {other.Capacity} counters cannot be merged.", nameof(other));
        }

        if (ReferenceEquals(other, this))
        {
            other = Clone();
        }

        foreach (var (category, count) in other._counts)
        {
            _counts[category] = _counts.GetValueOrDefault(category) + count;
        }

        Count += other.Count;
        Missing += other.Missing;
        Other += other.Other;
        Reduce();
    }

    /// <summary>Merges two profiles into a new one, leaving both unchanged.</summary>
    /// <param name="a">The first profile.</param>
    /// <param name="b">The second profile (same capacity).</param>
    /// <returns>The merged profile.</returns>
    public static CategoricalProfile Merge(CategoricalProfile a, CategoricalProfile b)
    {
        var merged = a.Clone();
        merged.Merge(b);
        return merged;
    }

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public CategoricalProfile Clone() => FromState(ToState());

    /// <summary>The profile as compact JSON, for persistence; <see cref="FromJson"/> restores it exactly.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(ToState(), StatisticsJsonContext.Default.CategoricalProfileState);

    /// <summary>Restores a profile written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="FormatException">The text is not a valid categorical profile.</exception>
    public static CategoricalProfile FromJson(string json)
        => FromState(Internal.StateJson.Read(json, StatisticsJsonContext.Default.CategoricalProfileState, "a categorical profile"));

    private void DecrementAll(long amount)
    {
        List<string>? emptied = null;
        foreach (var (category, count) in _counts)
        {
            if (count <= amount)
            {
                (emptied ??= []).Add(category);
            }
            else
            {
                _counts[category] = count - amount;
            }
        }

        if (emptied is not null)
        {
            foreach (var category in emptied)
            {
                _counts.Remove(category);
            }
        }
    }

    /// <summary>If more than k counters are held, subtracts the (k+1)-th largest count from all and drops the
    /// non-positive ones, leaving at most k.</summary>
    private void Reduce()
    {
        if (_counts.Count <= Capacity)
        {
            return;
        }

        var sorted = _counts.Values.ToArray();
        Array.Sort(sorted);
        var threshold = sorted[^(Capacity + 1)];
        var before = _counts.Values.Sum();
        DecrementAll(threshold);
        Other += before - _counts.Values.Sum();
    }

    internal CategoricalProfileState ToState()
    {
        var categories = _counts.Keys.Order(StringComparer.Ordinal).ToArray();
        return new CategoricalProfileState
        {
            Version = 1,
            Capacity = Capacity,
            Count = Count,
            Missing = Missing,
            Categories = categories,
            Counts = [.. categories.Select(c => _counts[c])],
        };
    }

    internal static CategoricalProfile FromState(CategoricalProfileState state)
    {
        if (state.Version != 1)
        {
            throw new FormatException($"Categorical profile format version {state.Version} is not supported (expected 1).");
        }

        if (state.Capacity < 2 || state.Capacity > 1 << 20)
        {
            throw new FormatException($"A categorical profile's capacity must lie in [2, 1048576]; found {state.Capacity}.");
        }

        if (state.Categories is null || state.Counts is null || state.Categories.Length != state.Counts.Length
            || state.Categories.Length > state.Capacity)
        {
            throw new FormatException("Categories and counts must be two arrays of the same length, at most the capacity.");
        }

        var profile = new CategoricalProfile(state.Capacity) { Count = state.Count, Missing = state.Missing };
        long tracked = 0;
        for (var i = 0; i < state.Categories.Length; i++)
        {
            if (state.Categories[i] is null || state.Counts[i] <= 0 || !profile._counts.TryAdd(state.Categories[i], state.Counts[i]))
            {
                throw new FormatException("Categories must be unique strings with positive counts.");
            }

            tracked += state.Counts[i];
        }

        if (state.Missing < 0 || tracked > state.Count)
        {
            throw new FormatException("The tracked counts exceed the profile's count, or a count is negative.");
        }

        profile.Other = state.Count - tracked;
        return profile;
    }
}
