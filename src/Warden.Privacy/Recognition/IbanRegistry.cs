namespace Warden.Privacy.Recognition;

/// <summary>
/// The IBAN length and BBAN structure of each country in the SWIFT IBAN registry, in SWIFT's notation:
/// <c>n</c> digits, <c>a</c> upper-case letters, <c>c</c> upper-case letters or digits (so "4a14n" is four letters
/// then fourteen digits). The length counts the country code and the two check digits.
/// </summary>
internal static class IbanRegistry
{
    internal sealed record Country(string Code, int Length, string Bban)
    {
        internal (int Count, char Kind)[] Parts { get; } = ParseBban(Bban);
    }

    internal static IReadOnlyList<Country> Countries { get; } =
    [
        new("AD", 24, "8n12c"), new("AE", 23, "19n"), new("AL", 28, "8n16c"), new("AT", 20, "16n"),
        new("AZ", 28, "4a20c"), new("BA", 20, "16n"), new("BE", 16, "12n"), new("BG", 22, "4a6n8c"),
        new("BH", 22, "4a14c"), new("BI", 27, "23n"), new("BR", 29, "23n1a1c"), new("BY", 28, "4c4n16c"),
        new("CH", 21, "5n12c"), new("CR", 22, "18n"), new("CY", 28, "8n16c"), new("CZ", 24, "20n"),
        new("DE", 22, "18n"), new("DJ", 27, "23n"), new("DK", 18, "14n"), new("DO", 28, "4c20n"),
        new("EE", 20, "16n"), new("EG", 29, "25n"), new("ES", 24, "20n"), new("FI", 18, "14n"),
        new("FK", 18, "2a12n"), new("FO", 18, "14n"), new("FR", 27, "10n11c2n"), new("GB", 22, "4a14n"),
        new("GE", 22, "2a16n"), new("GI", 23, "4a15c"), new("GL", 18, "14n"), new("GR", 27, "7n16c"),
        new("GT", 28, "4c20c"), new("HR", 21, "17n"), new("HU", 28, "24n"), new("IE", 22, "4a14n"),
        new("IL", 23, "19n"), new("IQ", 23, "4a15n"), new("IS", 26, "22n"), new("IT", 27, "1a10n12c"),
        new("JO", 30, "4a4n18c"), new("KW", 30, "4a22c"), new("KZ", 20, "3n13c"), new("LB", 28, "4n20c"),
        new("LC", 32, "4a24c"), new("LI", 21, "5n12c"), new("LT", 20, "16n"), new("LU", 20, "3n13c"),
        new("LV", 21, "4a13c"), new("LY", 25, "21n"), new("MC", 27, "10n11c2n"), new("MD", 24, "20c"),
        new("ME", 22, "18n"), new("MK", 19, "3n10c2n"), new("MN", 20, "16n"), new("MR", 27, "23n"),
        new("MT", 31, "4a5n18c"), new("MU", 30, "4a19n3a"), new("NI", 28, "4a20n"), new("NL", 18, "4a10n"),
        new("NO", 15, "11n"), new("OM", 23, "3n16c"), new("PK", 24, "4a16c"), new("PL", 28, "24n"),
        new("PS", 29, "4a21c"), new("PT", 25, "21n"), new("QA", 29, "4a21c"), new("RO", 24, "4a16c"),
        new("RS", 22, "18n"), new("RU", 33, "14n15c"), new("SA", 24, "2n18c"), new("SC", 31, "4a20n3a"),
        new("SD", 18, "14n"), new("SE", 24, "20n"), new("SI", 19, "15n"), new("SK", 24, "20n"),
        new("SM", 27, "1a10n12c"), new("SO", 23, "19n"), new("ST", 25, "21n"), new("SV", 28, "4a20n"),
        new("TL", 23, "19n"), new("TN", 24, "20n"), new("TR", 26, "6n16c"), new("UA", 29, "6n19c"),
        new("VA", 22, "18n"), new("VG", 24, "4a16n"), new("XK", 20, "16n"), new("YE", 30, "4a4n18c"),
    ];

    private static readonly Dictionary<int, Country> ByCode = Countries.ToDictionary(c => Key(c.Code[0], c.Code[1]));

    private static int Key(char a, char b) => (a << 16) | b;

    public static bool TryGet(char first, char second, out Country country) =>
        ByCode.TryGetValue(Key(first, second), out country!);

    /// <summary>True when <paramref name="bban"/> (no spaces) follows the country's structure exactly.</summary>
    public static bool MatchesBban(Country country, ReadOnlySpan<char> bban)
    {
        int i = 0;
        foreach (var (count, kind) in country.Parts)
        {
            for (int k = 0; k < count; k++, i++)
            {
                if (i >= bban.Length)
                    return false;
                char c = bban[i];
                bool ok = kind switch
                {
                    'n' => char.IsAsciiDigit(c),
                    'a' => char.IsAsciiLetterUpper(c),
                    _ => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c),
                };
                if (!ok)
                    return false;
            }
        }

        return i == bban.Length;
    }

    private static (int Count, char Kind)[] ParseBban(string structure)
    {
        var parts = new List<(int, char)>();
        int number = 0;
        foreach (char c in structure)
        {
            if (char.IsAsciiDigit(c))
            {
                number = (number * 10) + (c - '0');
            }
            else
            {
                parts.Add((number, c));
                number = 0;
            }
        }

        return [.. parts];
    }
}
