using System.Globalization;

namespace Warden.Inference;

/// <summary>Invariant-culture parsing and formatting of doubles on the hot paths (every feature of every served or posted
/// record is parsed, profiled and logged). Each has a fast path that is exact, and falls back to the framework otherwise:
/// <list type="bullet">
/// <item><see cref="TryParse"/> reads plain decimals — an optional sign, at most 15 digits, an optional point, no exponent
/// or white space — as mantissa ÷ 10^k. Both are exact doubles (mantissa &lt; 2^53, k ≤ 15 &lt; 23), so the one correctly
/// rounded division gives the double nearest the decimal: what <see cref="double.TryParse(string?, NumberStyles, IFormatProvider?, out double)"/>
/// returns (Clinger's fast path, "How to read floating point numbers accurately", PLDI 1990). Anything else goes to the
/// framework with <see cref="NumberStyles.Float"/>.</item>
/// <item><see cref="TryFormatUtf8"/> writes x as the integer r = round(x · 10^k) with a decimal point k digits from the
/// right, for the smallest k ≤ 9 such that r ÷ 10^k == x. That division is correctly rounded, so x is the double nearest the
/// decimal written, and parsing it gives x back; no fixed-point string with fewer fraction digits round-trips, so for such
/// values it is also the shortest. Values needing more digits, an exponent, zero, and non-finite values return false
/// (the caller writes them the framework's way).</item>
/// </list></summary>
public static class InvariantNumber
{
    private static readonly double[] Pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    // 2^53: integers below it are exact doubles.
    private const double ExactIntegers = 9007199254740992.0;

    /// <summary>Parses <paramref name="text"/> exactly as <c>double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The value, when parsed.</param>
    /// <returns>Whether the text is a number.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out double value)
    {
        var i = 0;
        var negative = false;
        if (text.Length > 0 && (text[0] == '-' || text[0] == '+'))
        {
            negative = text[0] == '-';
            i = 1;
        }

        long mantissa = 0;
        var digits = 0;
        var fraction = -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if ((uint)(c - '0') <= 9)
            {
                if (++digits > 15)
                {
                    goto Framework;
                }

                mantissa = mantissa * 10 + (c - '0');
            }
            else if (c == '.' && fraction < 0)
            {
                fraction = digits;
            }
            else
            {
                goto Framework;
            }
        }

        if (digits == 0)
        {
            goto Framework;
        }

        var scale = fraction < 0 ? 0 : digits - fraction;
        var magnitude = scale == 0 ? mantissa : mantissa / Pow10[scale];
        value = negative ? -magnitude : magnitude;
        return true;

    Framework:
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Writes a finite, non-zero double of at most 9 fraction digits in plain decimal notation as UTF-8 text that
    /// parses back to exactly <paramref name="value"/>; returns false (writing nothing) for any other value.</summary>
    /// <param name="value">The value.</param>
    /// <param name="destination">At least 32 bytes.</param>
    /// <param name="written">Bytes written.</param>
    /// <returns>Whether the value was written.</returns>
    public static bool TryFormatUtf8(double value, Span<byte> destination, out int written)
    {
        written = 0;
        if (value == 0 || !double.IsFinite(value) || destination.Length < 32)
        {
            return false;
        }

        var magnitude = Math.Abs(value);
        for (var k = 0; k <= 9; k++)
        {
            var rounded = Math.Round(magnitude * Pow10[k]);
            if (rounded >= ExactIntegers)
            {
                return false;
            }

            if (rounded / Pow10[k] == magnitude)
            {
                written = Write((long)rounded, k, value < 0, destination);
                return true;
            }
        }

        return false;
    }

    private static int Write(long integer, int scale, bool negative, Span<byte> destination)
    {
        // Digits right to left into a scratch buffer, padded with zeros so there is a digit before the point.
        Span<byte> scratch = stackalloc byte[24];
        var n = 0;
        do
        {
            scratch[n++] = (byte)('0' + (int)(integer % 10));
            integer /= 10;
        }
        while (integer > 0);

        while (n <= scale)
        {
            scratch[n++] = (byte)'0';
        }

        var w = 0;
        if (negative)
        {
            destination[w++] = (byte)'-';
        }

        for (var d = n - 1; d >= 0; d--)
        {
            destination[w++] = scratch[d];
            if (d == scale && scale > 0)
            {
                destination[w++] = (byte)'.';
            }
        }

        return w;
    }
}
