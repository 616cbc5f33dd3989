using System.Globalization;

namespace Warden.Experimentation.Assignment;

/// <summary>
/// GrowthBook's deterministic hashing (SDK specification, <c>hash(seed, value, version)</c>): FNV-1a 32-bit over
/// UTF-16 code units, as the JavaScript reference SDK's <c>charCodeAt</c> loop computes it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Version 1: <c>(fnv1a32(value + seed) % 1000) / 1000</c> (three decimal places; GrowthBook's legacy default).</item>
/// <item>Version 2: <c>(fnv1a32(fnv1a32(seed + value).ToString()) % 10000) / 10000</c> (four decimal places and no
/// correlation between experiments that share a unit id; use it for new experiments).</item>
/// </list>
/// Any other version returns null, which callers treat as "not in the experiment", like the SDKs do.
/// Agreement with every vector of GrowthBook's published <c>cases.json</c> is asserted in the tests.
/// </remarks>
public static class GrowthBookHash
{
    private const uint OffsetBasis = 0x811C9DC5;
    private const uint Prime = 0x01000193;

    /// <summary>FNV-1a 32-bit hash of the string's UTF-16 code units.</summary>
    public static uint Fnv1a32(string value)
    {
        uint hash = OffsetBasis;
        foreach (char c in value)
        {
            hash ^= c;
            hash = unchecked(hash * Prime);
        }
        return hash;
    }

    /// <summary>A number in [0, 1) for <paramref name="value"/> under <paramref name="seed"/>, or null for an unknown version.</summary>
    public static double? Hash(string seed, string value, int version)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(value);
        return version switch
        {
            1 => Fnv1a32(value + seed) % 1000 / 1000.0,
            2 => Fnv1a32(Fnv1a32(seed + value).ToString(CultureInfo.InvariantCulture)) % 10000 / 10000.0,
            _ => null,
        };
    }
}
