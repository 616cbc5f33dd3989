namespace Warden.Privacy.Recognition;

/// <summary>
/// Telephone numbers: international (E.164 with "+"), and the common national layouts of the US, UK, Germany and
/// France. Phone numbers carry no check digit, so validation only rejects impossible numbers and scores stay below 1.
/// </summary>
internal static class PhoneRecognizer
{
    private static readonly Scope Nanp = Scope.Numeric(10, delimitedFour: true);

    public static Recognizer Create() => new PatternRecognizer(
        "PhoneRecognizer",
        EntityTypes.PhoneNumber,
        [
            new("phone (international +CC)", Patterns.PhoneInternational(), 0.7, ValidateInternational, Scope: Scope.Numeric(8, plus: true)),
            new("phone (US (NXX) NXX-XXXX)", Patterns.PhoneUsBracketed(), 0.7, ValidateNanpLayout, Scope: Scope.Numeric(10, bracket: true, delimitedFour: true)),
            new("phone (US NXX-NXX-XXXX)", Patterns.PhoneUsDelimited(), 0.5, Standalone(ValidateNanpLayout), Scope: Nanp),
            // Three space-separated groups are as often an account or NHS number: context decides.
            new("phone (US NXX NXX XXXX)", Patterns.PhoneUsSpaced(), 0.3, Standalone(ValidateNanpLayout), Scope: Nanp),
            new("phone (UK national)", Patterns.PhoneUk(), 0.5, Standalone(ValidateUk), Scope: Scope.Numeric(10, zeroLed: true)),
            new("phone (national, bracketed area code)", Patterns.PhoneNationalBracketed(), 0.6, Standalone(ValidateNationalTrunk), Scope: Scope.Numeric(9, bracket: true, zeroLed: true)),
            new("phone (DE national)", Patterns.PhoneDe(), 0.5, Standalone(ValidateNationalTrunk), Scope: Scope.Numeric(9, zeroLed: true)),
            new("phone (FR national)", Patterns.PhoneFr(), 0.5, Standalone(ValidateFr), Scope: Scope.Numeric(10, zeroLed: true)),
            new("phone (undelimited)", Patterns.PhoneUndelimited(), 0.3, Standalone(ValidateUndelimited), Scope: Scope.Numeric(10, minRun: 10)),
        ],
        new(["phone", "telephone", "tel", "mobile", "cell", "call", "fax", "contact", "sms", "whatsapp", "hotline", "landline"]));

    /// <summary>
    /// Wraps a national-format validator: a match that continues a longer run of digit groups ("+1 055 555 0455",
    /// a card number "2720 0959 6448 0563") is a fragment of something else, not a national number.
    /// </summary>
    private static Validator Standalone(Validator inner) => (text, start, end) =>
        Spans.ContinuesDigitGroups(text, start, end)
            ? Validation.Reject("part of a longer run of digit groups")
            : inner(text, start, end);

    /// <summary>
    /// "+" not glued to a word; brackets balanced; an optional "(0)" trunk digit ignored; 8–15 digits (E.164), with
    /// exact lengths for +1 (11, NANP rules), +44 (11–12) and +33 (11). When the match ran on into other numbers, the
    /// longest prefix that ends at a digit group and passes is kept.
    /// </summary>
    internal static Validation ValidateInternational(string text, int start, int end)
    {
        if (Spans.IsWordChar(Spans.Before(text, start)) || Spans.IsWordChar(Spans.At(text, end)))
            return Validation.Reject("glued to a word");
        var rejection = Validation.Reject("no prefix is a valid international number");
        int stop = end;
        while (stop > start + 1)
        {
            var result = CheckInternational(text.AsSpan(start, stop - start));
            if (result.Outcome != ValidationOutcome.Rejected)
                return result.At(start, stop);
            // Drop the last digit group and the separators before it.
            int cut = stop;
            while (cut > start && char.IsAsciiDigit(text[cut - 1]))
                cut--;
            while (cut > start && !char.IsAsciiDigit(text[cut - 1]))
                cut--;
            if (cut <= start + 1)
                break;
            stop = cut;
        }

        return rejection;
    }

    private static Validation CheckInternational(ReadOnlySpan<char> value)
    {
        if (value.Count('(') != value.Count(')'))
            return Validation.Reject("unbalanced brackets");
        Span<char> d = stackalloc char[24];
        int n = 0;
        for (int i = 1; i < value.Length; i++)
        {
            if (value[i] == '(' && i + 2 < value.Length && value[i + 1] == '0' && value[i + 2] == ')')
            {
                i += 2; // "+44 (0)20 …": the national trunk digit is not dialled internationally.
                continue;
            }

            if (char.IsAsciiDigit(value[i]))
            {
                if (n == d.Length)
                    return Validation.Reject("too many digits");
                d[n++] = value[i];
            }
        }

        var digits = d[..n];
        if (n is < 8 or > 15)
            return Validation.Reject($"{n} digits, E.164 allows 8 to 15");
        if (digits[0] == '1')
        {
            return n == 11 && IsNanp(digits[1..])
                ? Validation.Plausible("+1 NANP number")
                : Validation.Reject("+1 numbers have ten NANP digits");
        }

        if (digits.StartsWith("44"))
        {
            return n is 11 or 12 && digits[2] != '0'
                ? Validation.Plausible("+44 UK number")
                : Validation.Reject("+44 numbers have nine or ten national digits");
        }

        if (digits.StartsWith("33"))
        {
            return n == 11 && digits[2] != '0'
                ? Validation.Plausible("+33 FR number")
                : Validation.Reject("+33 numbers have nine national digits");
        }

        if (digits[0] == '0')
            return Validation.Reject("country codes never start with 0");
        return Validation.Plausible("E.164 length");
    }

    /// <summary>Area code and exchange both 2–9 then two digits, neither an N11 service code.</summary>
    internal static bool IsNanp(ReadOnlySpan<char> tenDigits) =>
        tenDigits.Length == 10
        && tenDigits[0] >= '2' && !(tenDigits[1] == '1' && tenDigits[2] == '1')
        && tenDigits[3] >= '2' && !(tenDigits[4] == '1' && tenDigits[5] == '1');

    internal static Validation ValidateNanpLayout(string text, int start, int end)
    {
        var value = text.AsSpan(start, end - start);
        if (value[0] != '(' && !Spans.SameSeparator(value))
            return Validation.Reject("mixed separators");
        Span<char> d = stackalloc char[10];
        Spans.Digits(value, d);
        return IsNanp(d) ? Validation.Plausible("NANP area code and exchange") : Validation.Reject("N11 service code");
    }

    /// <summary>10 or 11 digits with the leading 0; 01/02/03/05/07/08/09 ranges; 02, 03 and 07 numbers have 11.</summary>
    internal static Validation ValidateUk(string text, int start, int end)
    {
        var value = text.AsSpan(start, end - start);
        Span<char> d = stackalloc char[16];
        int n = Spans.Digits(value, d);
        if (n is not (10 or 11))
            return Validation.Reject($"{n} digits, UK numbers have 10 or 11");
        if (d[1] is '4' or '6')
            return Validation.Reject($"no UK numbers start 0{d[1]}");
        if (d[1] is '2' or '3' or '7' && n != 11)
            return Validation.Reject($"0{d[1]} numbers have 11 digits");
        return Validation.Plausible("UK number range and length");
    }

    /// <summary>National numbers with a trunk 0 (UK, DE and others): 9–13 digits in all.</summary>
    internal static Validation ValidateNationalTrunk(string text, int start, int end)
    {
        var value = text.AsSpan(start, end - start);
        Span<char> d = stackalloc char[20];
        int n = Spans.Digits(value, d);
        return n is >= 9 and <= 13
            ? Validation.Plausible("national number length")
            : Validation.Reject($"{n} digits is outside 9 to 13");
    }

    /// <summary>Ten digits in pairs with one separator throughout.</summary>
    internal static Validation ValidateFr(string text, int start, int end) =>
        Spans.SameSeparator(text.AsSpan(start, end - start))
            ? Validation.Plausible("FR number in pairs")
            : Validation.Reject("mixed separators");

    /// <summary>Trunk-0 numbers of 10–12 digits, or NANP numbers of ten digits (eleven with a leading 1).</summary>
    internal static Validation ValidateUndelimited(string text, int start, int end)
    {
        var value = text.AsSpan(start, end - start);
        if (Spans.AllSame(value[1..]))
            return Validation.Reject("repeated digit");
        if (value[0] == '0')
            return value[1] != '0' ? Validation.Plausible("national number with trunk 0") : Validation.Reject("00 is an international prefix");
        if (value.Length == 12 || (value.Length == 11 && value[0] != '1'))
            return Validation.Reject($"{value.Length} digits without a trunk 0 or country code");
        var nanp = value.Length == 11 ? value[1..] : value;
        return IsNanp(nanp) ? Validation.Plausible("NANP number") : Validation.Reject("not a NANP area code and exchange");
    }
}
