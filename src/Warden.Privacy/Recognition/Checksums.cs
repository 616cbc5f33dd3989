namespace Warden.Privacy.Recognition;

/// <summary>The check-digit algorithms used by recognizers and offered to custom recognizers.</summary>
internal static class Checksums
{
    private static bool IsSeparator(char c) => c is ' ' or '-';

    /// <summary>Luhn (mod 10) over the digits of <paramref name="value"/>; spaces and hyphens are skipped.</summary>
    public static bool Luhn(ReadOnlySpan<char> value)
    {
        int sum = 0, digits = 0;
        for (int i = value.Length - 1; i >= 0; i--)
        {
            char c = value[i];
            if (IsSeparator(c))
                continue;
            if (!char.IsAsciiDigit(c))
                return false;
            int d = c - '0';
            if ((digits & 1) == 1)
            {
                d *= 2;
                if (d > 9)
                    d -= 9;
            }

            sum += d;
            digits++;
        }

        return digits >= 2 && sum % 10 == 0;
    }

    /// <summary>
    /// ISO 7064 MOD 97-10 remainder of <paramref name="value"/> read as a number with letters A=10 … Z=35
    /// (case-insensitive); spaces and hyphens are skipped. Returns -1 for any other character or an empty value.
    /// </summary>
    public static int Mod97Remainder(ReadOnlySpan<char> value, int remainder = 0)
    {
        bool any = false;
        foreach (char c in value)
        {
            if (IsSeparator(c))
                continue;
            if (char.IsAsciiDigit(c))
                remainder = ((remainder * 10) + (c - '0')) % 97;
            else if (char.IsAsciiLetter(c))
                remainder = ((remainder * 100) + (char.ToUpperInvariant(c) - 'A' + 10)) % 97;
            else
                return -1;
            any = true;
        }

        return any ? remainder : -1;
    }

    /// <summary>True when <paramref name="value"/> leaves remainder 1 under ISO 7064 MOD 97-10.</summary>
    public static bool Mod97(ReadOnlySpan<char> value) => Mod97Remainder(value) == 1;

    /// <summary>IBAN check: the first four characters moved to the end, then MOD 97-10 must leave 1.</summary>
    public static bool Iban(ReadOnlySpan<char> compact)
    {
        if (compact.Length < 5)
            return false;
        int r = Mod97Remainder(compact[4..]);
        return r >= 0 && Mod97Remainder(compact[..4], r) == 1;
    }

    /// <summary>
    /// NHS-style mod 11 over n digits (spaces and hyphens skipped): the first n−1 digits weighted n … 2, check digit
    /// 11 − (sum mod 11), where 11 means 0 and 10 can never be valid.
    /// </summary>
    public static bool Mod11(ReadOnlySpan<char> value)
    {
        Span<int> digits = stackalloc int[64];
        int n = 0;
        foreach (char c in value)
        {
            if (IsSeparator(c))
                continue;
            if (!char.IsAsciiDigit(c) || n == digits.Length)
                return false;
            digits[n++] = c - '0';
        }

        if (n < 2)
            return false;
        int sum = 0;
        for (int i = 0; i < n - 1; i++)
            sum += digits[i] * (n - i);
        int check = 11 - (sum % 11);
        if (check == 11)
            check = 0;
        return check != 10 && check == digits[n - 1];
    }

    /// <summary>Applies the configured algorithm (<see cref="ChecksumAlgorithm.None"/> always passes).</summary>
    public static bool Check(ChecksumAlgorithm algorithm, ReadOnlySpan<char> value) => algorithm switch
    {
        ChecksumAlgorithm.Luhn => Luhn(value),
        ChecksumAlgorithm.Mod97 => Mod97(value),
        ChecksumAlgorithm.Mod11 => Mod11(value),
        _ => true,
    };
}
