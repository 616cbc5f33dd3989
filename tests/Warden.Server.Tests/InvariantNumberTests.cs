using System.Globalization;
using System.Text;
using Warden.Inference;

namespace Warden.Server.Tests;

/// <summary>The hot-path number parser and formatter agree with the framework's invariant parsing, bit for bit.</summary>
public sealed class InvariantNumberTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("+3")]
    [InlineData("1.5")]
    [InlineData("-1.2345")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("000123.4500")]
    [InlineData("123456789012345")]
    [InlineData("1234567890123456")]
    [InlineData("0.1")]
    [InlineData("0.30000000000000004")]
    [InlineData("1e3")]
    [InlineData(" 2.5 ")]
    [InlineData("NaN")]
    [InlineData("-Infinity")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("12a")]
    [InlineData("1,5")]
    public void Parses_exactly_as_the_framework(string text)
    {
        var expected = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var e);
        var actual = InvariantNumber.TryParse(text, out var a);
        Assert.Equal(expected, actual);
        if (expected)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(e), BitConverter.DoubleToInt64Bits(a));
        }
    }

    [Fact]
    public void Random_decimals_parse_to_the_same_bits()
    {
        var random = new Random(20261127);
        for (var i = 0; i < 200_000; i++)
        {
            var digits = random.Next(1, 18);
            var text = new StringBuilder(random.Next(3) == 0 ? "-" : "");
            var point = random.Next(-1, digits + 1);
            for (var d = 0; d < digits; d++)
            {
                if (d == point)
                {
                    text.Append('.');
                }

                text.Append((char)('0' + random.Next(10)));
            }

            var s = text.ToString();
            Assert.True(InvariantNumber.TryParse(s, out var a), s);
            Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(a));
        }
    }

    [Fact]
    public void Formatted_values_parse_back_to_the_same_double_and_match_the_shortest_form()
    {
        var random = new Random(7);
        Span<byte> buffer = stackalloc byte[32];
        var fast = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var value = (random.Next(4)) switch
            {
                0 => Math.Round(random.NextDouble() * 4 - 2, 4),
                1 => Math.Round(random.NextDouble() * 1e6, random.Next(0, 10)),
                2 => random.NextDouble() * Math.Pow(10, random.Next(-12, 20)),
                _ => -random.Next(1, 100_000),
            };
            if (!InvariantNumber.TryFormatUtf8(value, buffer, out var written))
            {
                continue;
            }

            fast++;
            var text = Encoding.UTF8.GetString(buffer[..written]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)));
            // The framework's shortest round-trip form, when it is plain decimal, has the same digits.
            var shortest = value.ToString("R", CultureInfo.InvariantCulture);
            if (!shortest.Contains('E', StringComparison.Ordinal))
            {
                Assert.Equal(shortest, text);
            }
        }

        Assert.True(fast > 100_000, $"only {fast} values took the fast path");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e-12)]
    [InlineData(1e300)]
    [InlineData(0.30000000000000004)]
    public void Values_outside_the_fast_path_are_left_to_the_framework(double value)
    {
        Span<byte> buffer = stackalloc byte[32];
        Assert.False(InvariantNumber.TryFormatUtf8(value, buffer, out var written));
        Assert.Equal(0, written);
        Assert.False(InvariantNumber.TryFormatUtf8(-0.0, buffer, out _));
    }
}
