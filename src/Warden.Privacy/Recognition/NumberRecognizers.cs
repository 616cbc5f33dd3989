namespace Warden.Privacy.Recognition;

/// <summary>Identity and account numbers: payment cards, IBANs, SSNs, ITINs, NINOs and NHS numbers.</summary>
internal static class NumberRecognizers
{
    // Issuer prefixes (inclusive ranges over the first `Digits` digits) and allowed lengths. Maestro (50, 56–58, 6x) is
    // left out: it was withdrawn in 2023 and its wide prefixes made random 16-digit identifiers look like cards.
    private static readonly (int Low, int High, int Digits, int MinLength, int MaxLength, string Brand)[] Issuers =
    [
        (4, 4, 1, 13, 19, "Visa"),
        (51, 55, 2, 16, 16, "Mastercard"),
        (2221, 2720, 4, 16, 16, "Mastercard"),
        (34, 34, 2, 15, 15, "American Express"),
        (37, 37, 2, 15, 15, "American Express"),
        (6011, 6011, 4, 16, 19, "Discover"),
        (644, 649, 3, 16, 19, "Discover"),
        (65, 65, 2, 16, 19, "Discover"),
        (300, 305, 3, 14, 19, "Diners Club"),
        (36, 36, 2, 14, 19, "Diners Club"),
        (38, 39, 2, 14, 19, "Diners Club"),
        (3528, 3589, 4, 16, 19, "JCB"),
        (62, 62, 2, 16, 19, "UnionPay"),
    ];

    // Numbers published as examples, so they identify nobody (Woolworth's wallet card, the SSA's pamphlet, and the
    // sequence used in forms).
    private static readonly string[] SampleSsns = ["078051120", "219099999", "123456789"];

    private static readonly Scope Cards = Scope.Numeric(13);
    private static readonly Scope NineDelimited = Scope.Numeric(9, delimitedFour: true);
    private static readonly Scope NineDigitRun = Scope.Numeric(9, minRun: 9);

    public static Recognizer CreditCard() => new PatternRecognizer(
        "CreditCardRecognizer",
        EntityTypes.CreditCard,
        [
            new("card number (groups of four)", Patterns.CardGroupsOfFour(), 0.3, ValidateCard, Scope: Scope.Numeric(13, delimitedFour: true)),
            new("card number (4-6-5 or 4-6-4)", Patterns.CardAmexDiners(), 0.3, ValidateCard, Scope: Cards),
            new("card number (undelimited)", Patterns.CardUndelimited(), 0.3, ValidateCard, Scope: Scope.Numeric(13, minRun: 13)),
        ],
        new(["credit", "card", "visa", "mastercard", "amex", "discover", "cc", "payment", "pan"]));

    public static Recognizer Iban() => new PatternRecognizer(
        "IbanRecognizer",
        EntityTypes.IbanCode,
        [new("IBAN", Patterns.Iban(), 0.5, ValidateIban, Scope: Scope.CapitalsThenDigits)],
        new(["iban", "bank", "account", "transfer", "beneficiary"]));

    public static Recognizer UsSsn() => new PatternRecognizer(
        "UsSsnRecognizer",
        EntityTypes.UsSsn,
        [
            new("SSN (delimited)", Patterns.SsnDelimited(), 0.5, ValidateSsn, Scope: NineDelimited),
            new("SSN (nine digits)", Patterns.NineDigits(), 0.3, ValidateSsn, Scope: NineDigitRun),
        ],
        new(["ssn", "ssns", "social security", "social security number"]));

    public static Recognizer UsItin() => new PatternRecognizer(
        "UsItinRecognizer",
        EntityTypes.UsItin,
        [
            new("ITIN (delimited)", Patterns.ItinDelimited(), 0.5, ValidateItin, Scope: NineDelimited),
            new("ITIN (nine digits)", Patterns.NineDigits(), 0.3, ValidateItin, Scope: NineDigitRun),
        ],
        new(["itin", "taxpayer", "tax id", "tax", "tin"]));

    public static Recognizer UkNino() => new PatternRecognizer(
        "UkNinoRecognizer",
        EntityTypes.UkNino,
        [new("NINO", Patterns.Nino(), 0.5, ValidateNino, Scope: Scope.CapitalsThenDigits)],
        new(["national insurance", "nino", "ni number", "ni no", "nic"]));

    public static Recognizer UkNhs() => new PatternRecognizer(
        "UkNhsRecognizer",
        EntityTypes.UkNhs,
        // Context is required and every context word contains one of these, so only the rest of such lines is searched.
        [new("NHS number", Patterns.Nhs(), 0.5, ValidateNhs, RequiresContext: true, Scope: Scope.RestOfLineAfter(["nhs", "health", "patient"]))],
        new(["nhs", "health service", "health", "patient"]));

    /// <summary>Not a fragment of a longer run of groups, separators consistent, 13–19 digits, a known issuer prefix and length, and a valid Luhn check digit.</summary>
    internal static Validation ValidateCard(string text, int start, int end)
    {
        if (Spans.ContinuesDigitGroups(text, start, end))
            return Validation.Reject("part of a longer run of digit groups");
        var value = text.AsSpan(start, end - start);
        if (!Spans.SameSeparator(value))
            return Validation.Reject("mixed separators");
        Span<char> digits = stackalloc char[20];
        int n = Spans.Digits(value, digits);
        if (n is < 13 or > 19)
            return Validation.Reject($"{n} digits");
        if (Spans.AllSame(digits[..n]))
            return Validation.Reject("all digits the same");
        string? brand = null;
        foreach (var issuer in Issuers)
        {
            int prefix = Spans.Number(digits[..issuer.Digits]);
            if (prefix >= issuer.Low && prefix <= issuer.High && n >= issuer.MinLength && n <= issuer.MaxLength)
            {
                brand = issuer.Brand;
                break;
            }
        }

        if (brand is null)
            return Validation.Reject("no issuer uses this prefix and length");
        return Checksums.Luhn(digits[..n])
            ? Validation.Confirm($"Luhn check digit valid ({brand})")
            : Validation.Reject("Luhn check digit invalid");
    }

    /// <summary>
    /// Known country, exact registry length, check digits 02–98, BBAN structure, and ISO 7064 mod-97. A match that
    /// ran into a following upper-case word is cut back to the country's length when a space separates the two.
    /// </summary>
    internal static Validation ValidateIban(string text, int start, int end)
    {
        if (!IbanRegistry.TryGet(text[start], text[start + 1], out var country))
            return Validation.Reject($"no IBAN country {text.AsSpan(start, 2)}");
        Span<char> compact = stackalloc char[40];
        int n = 0, cut = -1;
        for (int i = start; i < end; i++)
        {
            if (text[i] == ' ')
                continue;
            if (n == country.Length)
            {
                cut = i;
                break;
            }

            compact[n++] = text[i];
        }

        if (n < country.Length)
            return Validation.Reject($"{n} characters where {country.Code} IBANs have {country.Length}");
        if (cut >= 0)
        {
            // Only cut at a group boundary: "DE89 3704 … 00 EUR" keeps the IBAN and leaves "EUR".
            end = cut;
            while (end > start && text[end - 1] == ' ')
                end--;
            if (end == cut)
                return Validation.Reject($"longer than the {country.Length} characters of a {country.Code} IBAN");
        }

        var iban = compact[..n];
        int check = ((iban[2] - '0') * 10) + (iban[3] - '0');
        if (check is < 2 or > 98)
            return Validation.Reject($"check digits {iban[2..4]} are never issued");
        if (!IbanRegistry.MatchesBban(country, iban[4..]))
            return Validation.Reject($"account part does not follow {country.Code}'s structure {country.Bban}");
        return Checksums.Iban(iban)
            ? Validation.Confirm($"{country.Code} IBAN, mod-97 check digits valid").At(start, end)
            : Validation.Reject("mod-97 check digits invalid");
    }

    /// <summary>
    /// Same separator throughout, area not 000, 666 or 900–999, group not 00, serial not 0000, not one repeated digit,
    /// and not a published sample number.
    /// </summary>
    internal static Validation ValidateSsn(string text, int start, int end)
    {
        var value = text.AsSpan(start, end - start);
        if (!Spans.SameSeparator(value))
            return Validation.Reject("mixed separators");
        Span<char> d = stackalloc char[9];
        Spans.Digits(value, d);
        if (Spans.AllSame(d))
            return Validation.Reject("all digits the same");
        int area = Spans.Number(d[..3]);
        if (area == 0 || area == 666 || area >= 900)
            return Validation.Reject($"area {d[..3]} is never issued");
        if (d[3] == '0' && d[4] == '0')
            return Validation.Reject("group 00 is never issued");
        if (d[5..].SequenceEqual("0000"))
            return Validation.Reject("serial 0000 is never issued");
        foreach (var sample in SampleSsns)
        {
            if (d.SequenceEqual(sample))
                return Validation.Reject("a published sample number");
        }

        return Validation.Plausible("area, group and serial issuable (SSNs carry no check digit)");
    }

    /// <summary>Same separator throughout, first digit 9, group 50–65, 70–88, 90–92 or 94–99.</summary>
    internal static Validation ValidateItin(string text, int start, int end)
    {
        var value = text.AsSpan(start, end - start);
        if (!Spans.SameSeparator(value))
            return Validation.Reject("mixed separators");
        Span<char> d = stackalloc char[9];
        Spans.Digits(value, d);
        if (d[0] != '9')
            return Validation.Reject("ITINs start with 9");
        int group = Spans.Number(d[3..5]);
        bool issued = group is (>= 50 and <= 65) or (>= 70 and <= 88) or (>= 90 and <= 92) or (>= 94 and <= 99);
        return issued
            ? Validation.Plausible($"group {group} is an ITIN range (ITINs carry no check digit)")
            : Validation.Reject($"group {group} is not an ITIN range");
    }

    /// <summary>
    /// First letter not D, F, I, Q, U or V; second letter not D, F, I, O, Q, U or V; prefix not BG, GB, KN, NK, NT,
    /// TN or ZZ; spacing either absent or the usual "AB 12 34 56 C".
    /// </summary>
    internal static Validation ValidateNino(string text, int start, int end)
    {
        var value = text.AsSpan(start, end - start);
        int spaces = value.Count(' ');
        if (spaces is not (0 or 4))
            return Validation.Reject("irregular spacing");
        char first = value[0], second = value[1];
        if (first is 'D' or 'F' or 'I' or 'Q' or 'U' or 'V')
            return Validation.Reject($"first letter {first} is never issued");
        if (second is 'D' or 'F' or 'I' or 'O' or 'Q' or 'U' or 'V')
            return Validation.Reject($"second letter {second} is never issued");
        var prefix = value[..2];
        if (prefix is "BG" or "GB" or "KN" or "NK" or "NT" or "TN" or "ZZ")
            return Validation.Reject($"prefix {prefix} is never issued");
        return Validation.Plausible("prefix issuable (NINOs carry no check digit)");
    }

    /// <summary>Ten digits, same separator throughout, not one repeated digit, and a valid mod-11 check digit.</summary>
    internal static Validation ValidateNhs(string text, int start, int end)
    {
        var value = text.AsSpan(start, end - start);
        if (!Spans.SameSeparator(value))
            return Validation.Reject("mixed separators");
        Span<char> d = stackalloc char[10];
        Spans.Digits(value, d);
        if (Spans.AllSame(d))
            return Validation.Reject("all digits the same");
        return Checksums.Mod11(d)
            ? Validation.Confirm("mod-11 check digit valid")
            : Validation.Reject("mod-11 check digit invalid");
    }
}
