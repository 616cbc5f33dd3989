using System.Diagnostics.CodeAnalysis;

namespace Warden.Server.Privacy;

/// <summary>One stored row of feature values, read-only: the feature names (shared by every row of a model version, in model
/// order) and this row's values. Lighter than a dictionary per stored prediction; lookups by name scan the few features.</summary>
public sealed class StoredFieldDictionary : IReadOnlyDictionary<string, object?>
{
    private readonly IReadOnlyList<string> _names;
    private readonly object?[] _values;

    /// <summary>Pairs <paramref name="names"/> with <paramref name="values"/> (same length, distinct names).</summary>
    public StoredFieldDictionary(IReadOnlyList<string> names, object?[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(values.Length, names.Count, nameof(values));
        _names = names;
        _values = values;
    }

    /// <inheritdoc />
    public int Count => _values.Length;

    /// <summary>Field i's name (for writers that walk the fields without an enumerator).</summary>
    public string NameAt(int i) => _names[i];

    /// <summary>Field i's stored value.</summary>
    public object? ValueAt(int i) => _values[i];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _names;

    /// <inheritdoc />
    public IEnumerable<object?> Values => _values;

    /// <inheritdoc />
    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no field '{key}'");

    /// <inheritdoc />
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _values[i] : null;
        return i >= 0;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < _values.Length; i++)
        {
            yield return new KeyValuePair<string, object?>(_names[i], _values[i]);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        for (var i = 0; i < _names.Count; i++)
        {
            if (string.Equals(_names[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
