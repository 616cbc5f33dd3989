using System.Globalization;
using System.Numerics;

namespace Warden.Privacy.Tests.Corpus;

/// <summary>
/// Seeded generators of synthetic personal data, valid and deliberately invalid. Check digits are computed here
/// independently of the library (BigInteger arithmetic, textbook formulas), so tests never check the library
/// against itself.
/// </summary>
public sealed class Synthetic(int seed)
{
    private readonly Random _random = new(seed);

    public Random Random => _random;

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    public string Digits(int count)
    {
        var chars = new char[count];
        for (int i = 0; i < count; i++)
            chars[i] = (char)('0' + _random.Next(10));
        return new string(chars);
    }

    private string Letters(int count)
    {
        var chars = new char[count];
        for (int i = 0; i < count; i++)
            chars[i] = (char)('A' + _random.Next(26));
        return new string(chars);
    }

    // ---- check digits, independent implementations ----

    public static int LuhnCheckDigit(string payload)
    {
        int sum = 0;
        for (int i = 0; i < payload.Length; i++)
        {
            int d = payload[payload.Length - 1 - i] - '0';
            if (i % 2 == 0)
            {
                d *= 2;
                if (d > 9) d = (d / 10) + (d % 10);
            }

            sum += d;
        }

        return (10 - (sum % 10)) % 10;
    }

    public static bool LuhnValid(string digits) => LuhnCheckDigit(digits[..^1]) == digits[^1] - '0';

    public static string IbanNumeric(string s) =>
        string.Concat(s.Select(c => char.IsDigit(c) ? c.ToString() : (c - 'A' + 10).ToString(CultureInfo.InvariantCulture)));

    public static string IbanCheckDigits(string country, string bban)
    {
        var number = BigInteger.Parse(IbanNumeric(bban + country + "00"), CultureInfo.InvariantCulture);
        int check = 98 - (int)(number % 97);
        return check.ToString("00", CultureInfo.InvariantCulture);
    }

    public static int? NhsCheckDigit(string nine)
    {
        int sum = 0;
        for (int i = 0; i < 9; i++)
            sum += (nine[i] - '0') * (10 - i);
        int check = 11 - (sum % 11);
        return check == 11 ? 0 : check == 10 ? null : check;
    }

    // ---- payment cards ----

    private static readonly (string Prefix, int Length, string Layout)[] CardBrands =
    [
        ("4", 16, "4444"), ("51", 16, "4444"), ("55", 16, "4444"), ("2221", 16, "4444"), ("2720", 16, "4444"),
        ("34", 15, "465"), ("37", 15, "465"), ("6011", 16, "4444"), ("65", 16, "4444"), ("3530", 16, "4444"),
        ("36", 14, "464"), ("4", 13, ""), ("62", 16, "4444"),
    ];

    public string CardNumber(bool valid)
    {
        var (prefix, length, layout) = Pick(CardBrands);
        string payload = prefix + Digits(length - prefix.Length - 1);
        int check = LuhnCheckDigit(payload);
        if (!valid)
            check = (check + 1 + _random.Next(9)) % 10;
        string digits = payload + check;
        if (layout.Length == 0 || _random.Next(4) == 0)
            return digits;
        char separator = _random.Next(2) == 0 ? ' ' : '-';
        var groups = new List<string>();
        int at = 0;
        foreach (char g in layout)
        {
            int size = g - '0';
            groups.Add(digits.Substring(at, size));
            at += size;
        }

        return string.Join(separator, groups);
    }

    // ---- IBAN ----

    private static readonly (string Country, string Bban)[] IbanCountries =
    [
        ("DE", "18n"), ("GB", "4a14n"), ("FR", "10n11c2n"), ("NL", "4a10n"), ("ES", "20n"), ("IT", "1a10n12c"),
        ("BE", "12n"), ("CH", "5n12c"), ("PL", "24n"), ("NO", "11n"), ("IE", "4a14n"), ("AT", "16n"),
        ("SE", "20n"), ("PT", "21n"), ("FI", "14n"), ("DK", "14n"),
    ];

    public string Iban(bool valid, bool grouped)
    {
        var (country, structure) = Pick(IbanCountries);
        var bban = new System.Text.StringBuilder();
        int number = 0;
        foreach (char c in structure)
        {
            if (char.IsDigit(c))
            {
                number = (number * 10) + (c - '0');
                continue;
            }

            for (int i = 0; i < number; i++)
            {
                bban.Append(c switch
                {
                    'n' => (char)('0' + _random.Next(10)),
                    'a' => (char)('A' + _random.Next(26)),
                    _ => _random.Next(2) == 0 ? (char)('0' + _random.Next(10)) : (char)('A' + _random.Next(26)),
                });
            }

            number = 0;
        }

        string check = IbanCheckDigits(country, bban.ToString());
        if (!valid)
        {
            int wrong = (int.Parse(check, CultureInfo.InvariantCulture) + 1 + _random.Next(90)) % 97;
            if (wrong < 2) wrong += 2;
            check = wrong.ToString("00", CultureInfo.InvariantCulture);
        }

        string iban = country + check + bban;
        return grouped ? string.Join(' ', iban.Chunk(4).Select(c => new string(c))) : iban;
    }

    // ---- US numbers ----

    public static readonly string[] SampleSsns = ["078-05-1120", "219-09-9999", "123-45-6789"];

    public string Ssn(bool valid, char separator = '-')
    {
        string area, group, serial;
        if (valid)
        {
            int a;
            do a = 1 + _random.Next(899); while (a == 666);
            area = a.ToString("000", CultureInfo.InvariantCulture);
            group = (1 + _random.Next(99)).ToString("00", CultureInfo.InvariantCulture);
            serial = (1 + _random.Next(9999)).ToString("0000", CultureInfo.InvariantCulture);
            string candidate = $"{area}-{group}-{serial}";
            if (SampleSsns.Contains(candidate) || candidate.Replace("-", "", StringComparison.Ordinal).Distinct().Count() == 1)
                return Ssn(valid, separator);
        }
        else
        {
            switch (_random.Next(6))
            {
                case 0: return Pick(SampleSsns).Replace('-', separator);
                case 1: area = "000"; break;
                case 2: area = "666"; break;
                case 3:
                    // A 9xx area with an ITIN group would be a valid ITIN, so use a group no ITIN has.
                    area = (900 + _random.Next(100)).ToString(CultureInfo.InvariantCulture);
                    group = Pick(new[] { "01", "12", "34", "49", "66", "69", "89", "93" });
                    serial = (1 + _random.Next(9999)).ToString("0000", CultureInfo.InvariantCulture);
                    return separator == '\0' ? area + group + serial : $"{area}{separator}{group}{separator}{serial}";
                default: area = (1 + _random.Next(665)).ToString("000", CultureInfo.InvariantCulture); break;
            }

            group = _random.Next(6) == 4 ? "00" : (1 + _random.Next(99)).ToString("00", CultureInfo.InvariantCulture);
            serial = _random.Next(6) == 5 ? "0000" : (1 + _random.Next(9999)).ToString("0000", CultureInfo.InvariantCulture);
            if (area is not ("000" or "666") && area[0] != '9' && group != "00" && serial != "0000")
                serial = "0000";
        }

        return separator == '\0' ? area + group + serial : $"{area}{separator}{group}{separator}{serial}";
    }

    private static readonly int[] ItinGroups =
        [.. Enumerable.Range(50, 16), .. Enumerable.Range(70, 19), .. Enumerable.Range(90, 3), .. Enumerable.Range(94, 6)];

    public string Itin(bool valid)
    {
        int group = valid ? Pick(ItinGroups) : Pick(new[] { 0, 10, 25, 49, 66, 69, 89, 93 });
        return $"9{Digits(2)}-{group:00}-{Digits(4)}";
    }

    // ---- UK numbers ----

    private const string NinoFirst = "ABCEGHJKLMNOPRSTWXYZ";
    private const string NinoSecond = "ABCEGHJKLMNPRSTWXYZ";
    private static readonly string[] BannedNinoPrefixes = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"];

    public string Nino(bool valid, bool spaced)
    {
        string prefix;
        if (valid)
        {
            do prefix = $"{NinoFirst[_random.Next(NinoFirst.Length)]}{NinoSecond[_random.Next(NinoSecond.Length)]}";
            while (BannedNinoPrefixes.Contains(prefix));
        }
        else
        {
            prefix = _random.Next(3) switch
            {
                0 => Pick(BannedNinoPrefixes),
                1 => $"{"DFIQUV"[_random.Next(6)]}{NinoSecond[_random.Next(NinoSecond.Length)]}",
                _ => $"{NinoFirst[_random.Next(NinoFirst.Length)]}{"DFIOQUV"[_random.Next(7)]}",
            };
        }

        string digits = Digits(6);
        char suffix = "ABCD"[_random.Next(4)];
        return spaced ? $"{prefix} {digits[..2]} {digits[2..4]} {digits[4..]} {suffix}" : $"{prefix}{digits}{suffix}";
    }

    public string Nhs(bool valid)
    {
        string nine;
        int? check;
        do
        {
            nine = (4 + _random.Next(4)).ToString(CultureInfo.InvariantCulture) + Digits(8);
            check = NhsCheckDigit(nine);
        }
        while (check is null);
        int digit = valid ? check.Value : (check.Value + 1 + _random.Next(9)) % 10;
        string all = nine + digit;
        return _random.Next(3) == 0 ? all : $"{all[..3]} {all[3..6]} {all[6..]}";
    }

    // ---- contact data ----

    private static readonly string[] Domains = ["example.com", "example.org", "mail.example.net", "corp.example.co.uk", "example.de", "example.fr"];
    private static readonly string[] BadDomains = ["example-.com", "-example.com", "example..com", "exa$mple.com"];
    private static readonly string[] Locals = ["alice", "bob.smith", "j.doe+billing", "m_ross", "support-team", "k9"];

    public string Email(bool valid) =>
        valid ? $"{Pick(Locals)}{_random.Next(100)}@{Pick(Domains)}" : $"{Pick(Locals)}@{Pick(BadDomains)}";

    public string Phone(bool valid)
    {
        if (!valid)
        {
            // Numbers that look like phones but cannot be: N11 area codes, area codes starting with 0 or 1, too short.
            return _random.Next(3) switch
            {
                0 => $"({_random.Next(2, 10)}11) 555-0{Digits(3)}",
                1 => $"+1 {_random.Next(0, 2)}{Digits(2)} 555 0{Digits(3)}",
                _ => $"+44 20 {Digits(2)}",
            };
        }

        string Area()
        {
            string area;
            do area = $"{_random.Next(2, 10)}{Digits(2)}"; while (area[1..] == "11"); // N11 codes are services
            return area;
        }

        return _random.Next(11) switch
        {
            0 => $"({Area()}) 555-01{Digits(2)}",
            1 => $"{Area()}-555-01{Digits(2)}",
            2 => $"+1 {Area()} 555 01{Digits(2)}",
            3 => $"07700 900{Digits(3)}",
            4 => $"+44 20 7946 0{Digits(3)}",
            5 => $"020 7946 0{Digits(3)}",
            6 => $"+49 30 {Digits(8)}",
            7 => $"030 {Digits(8)}",
            8 => $"01 {Digits(2)} {Digits(2)} {Digits(2)} {Digits(2)}",
            9 => $"+33 6 {Digits(2)} {Digits(2)} {Digits(2)} {Digits(2)}",
            _ => $"+44 (0)161 496 0{Digits(3)}",
        };
    }

    public string IPv4(bool valid) => valid
        ? $"{_random.Next(1, 224)}.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(1, 255)}"
        : _random.Next(2) == 0
            ? $"{_random.Next(256, 999)}.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(256)}"
            : $"{_random.Next(1, 224)}.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(256)}";

    public string IPv6(bool valid)
    {
        string Hex() => _random.Next(0x10000).ToString("x", CultureInfo.InvariantCulture);
        if (!valid)
            return $"{Hex()}:{Hex()}:{Hex()}"; // three groups without "::" is not an address
        return _random.Next(3) switch
        {
            0 => $"2001:db8:{Hex()}:{Hex()}:{Hex()}:{Hex()}:{Hex()}:{Hex()}",
            1 => $"2001:db8::{Hex()}",
            _ => $"fe80::{Hex()}:{Hex()}",
        };
    }

    public string Url(bool valid)
    {
        string path = Pick(new[] { "", "/", "/account/settings", "/orders?id=" + Digits(5), "/a/b.html#top" });
        return valid
            ? $"{Pick(new[] { "https", "http" })}://{Pick(Domains)}{path}"
            : $"https://{Pick(BadDomains)}{path}";
    }

    // ---- dates ----

    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public string Date(bool valid)
    {
        int year = 1930 + _random.Next(80), month = 1 + _random.Next(12);
        int day = valid ? 1 + _random.Next(DateTime.DaysInMonth(year, month)) : 0;
        if (!valid)
        {
            // 31 April, 30 February, 31 November: numbers of the right shape that are not dates.
            (month, day) = Pick(new[] { (4, 31), (2, 30), (11, 31), (6, 31) });
            return $"{day:00}/{month:00}/{year}";
        }

        return _random.Next(5) switch
        {
            0 => $"{year}-{month:00}-{day:00}",
            1 => $"{day:00}/{month:00}/{year}",
            2 => $"{day} {Months[month - 1]} {year}",
            3 => $"{Months[month - 1]} {day}, {year}",
            _ => $"{day:00}.{month:00}.{year}",
        };
    }

    // ---- names ----

    /// <summary>Names the library's lists do not contain: only a title or context can reveal them.</summary>
    public static readonly string[] UnlistedFirstNames = ["Zebedee", "Oona", "Tamsin", "Bartholomew", "Ingrid", "Ravindra", "Keiko", "Dagny"];

    public static readonly string[] UnlistedLastNames = ["Quist", "Vantongeren", "Abernathy-Rhys", "Oyelaran", "Szczepanski", "Lindqvist"];

    public string ListedFullName() => $"{Pick(PersonNames.DefaultFirstNames)} {Pick(PersonNames.DefaultLastNames)}";

    public string ListedFirstWithUnlistedLast() => $"{Pick(PersonNames.DefaultFirstNames)} {Pick(UnlistedLastNames)}";

    public string UnlistedFullName() => $"{Pick(UnlistedFirstNames)} {Pick(UnlistedLastNames)}";
}
