using System.Globalization;
using System.Numerics;
using Warden.Privacy.Recognition;
using Warden.Privacy.Tests.Corpus;

namespace Warden.Privacy.Tests;

/// <summary>The check-digit algorithms against independent textbook implementations, and the IBAN registry table.</summary>
public sealed class ChecksumTests
{
    [Fact]
    public void Luhn_agrees_with_an_independent_implementation_on_random_numbers()
    {
        var s = new Synthetic(1);
        for (int i = 0; i < 2000; i++)
        {
            string digits = s.Digits(2 + s.Random.Next(18));
            Assert.Equal(Synthetic.LuhnValid(digits), Checksums.Luhn(digits));
        }
    }

    [Theory]
    [InlineData("79927398713", true)]
    [InlineData("79927398710", false)]
    [InlineData("4111-1111 1111-1111", true)]
    [InlineData("4111a11111111111", false)]
    [InlineData("0", false)]
    public void Luhn_skips_spaces_and_hyphens_and_refuses_other_characters(string value, bool valid) =>
        Assert.Equal(valid, Checksums.Luhn(value));

    [Fact]
    public void Mod97_agrees_with_big_integer_arithmetic()
    {
        var s = new Synthetic(2);
        for (int i = 0; i < 2000; i++)
        {
            string digits = s.Digits(1 + s.Random.Next(40));
            var expected = BigInteger.Parse(digits, CultureInfo.InvariantCulture) % 97;
            Assert.Equal((int)expected, Checksums.Mod97Remainder(digits));
        }

        Assert.Equal(-1, Checksums.Mod97Remainder("12.3"));
        Assert.Equal(-1, Checksums.Mod97Remainder(""));
        Assert.Equal((int)(BigInteger.Parse(Synthetic.IbanNumeric("AB12"), CultureInfo.InvariantCulture) % 97), Checksums.Mod97Remainder("ab12"));
    }

    [Fact]
    public void Iban_check_digits_made_with_big_integers_pass_and_any_other_digits_fail()
    {
        var s = new Synthetic(3);
        for (int i = 0; i < 300; i++)
        {
            string iban = s.Iban(valid: true, grouped: false);
            Assert.True(Checksums.Iban(iban), iban);
            string wrong = iban[..2] + ((int.Parse(iban[2..4], CultureInfo.InvariantCulture) + 1) % 100).ToString("00", CultureInfo.InvariantCulture) + iban[4..];
            Assert.False(Checksums.Iban(wrong), wrong);
        }
    }

    [Fact]
    public void Mod11_agrees_with_the_nhs_rule_on_every_prefix_sample()
    {
        var s = new Synthetic(4);
        for (int i = 0; i < 2000; i++)
        {
            string nine = s.Digits(9);
            int? check = Synthetic.NhsCheckDigit(nine);
            for (int d = 0; d < 10; d++)
                Assert.Equal(check == d, Checksums.Mod11(nine + d));
        }
    }

    [Fact]
    public void Every_registry_country_has_a_length_equal_to_four_plus_its_account_structure()
    {
        Assert.True(IbanRegistry.Countries.Count >= 80);
        Assert.Equal(IbanRegistry.Countries.Count, IbanRegistry.Countries.Select(c => c.Code).Distinct().Count());
        foreach (var country in IbanRegistry.Countries)
        {
            Assert.Equal(country.Length, 4 + country.Parts.Sum(p => p.Count));
            Assert.All(country.Parts, p => Assert.Contains(p.Kind, "nac"));
            Assert.InRange(country.Length, 15, 34);
        }
    }

    [Theory]
    [InlineData("NO", 15)]
    [InlineData("BE", 16)]
    [InlineData("DE", 22)]
    [InlineData("GB", 22)]
    [InlineData("FR", 27)]
    [InlineData("MT", 31)]
    [InlineData("LC", 32)]
    [InlineData("RU", 33)]
    public void Registry_lengths_match_the_published_table(string code, int length)
    {
        Assert.True(IbanRegistry.TryGet(code[0], code[1], out var country));
        Assert.Equal(length, country.Length);
    }
}
