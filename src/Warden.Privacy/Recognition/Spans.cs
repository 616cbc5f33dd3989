namespace Warden.Privacy.Recognition;

/// <summary>Small span helpers shared by the validators.</summary>
internal static class Spans
{
    /// <summary>Copies the ASCII digits of <paramref name="value"/> into <paramref name="digits"/>; returns how many (capped).</summary>
    public static int Digits(ReadOnlySpan<char> value, Span<char> digits)
    {
        int n = 0;
        foreach (char c in value)
        {
            if (char.IsAsciiDigit(c) && n < digits.Length)
                digits[n++] = c;
        }

        return n;
    }

    /// <summary>True when every non-digit character of <paramref name="value"/> is the same character.</summary>
    public static bool SameSeparator(ReadOnlySpan<char> value)
    {
        char separator = '\0';
        foreach (char c in value)
        {
            if (char.IsAsciiDigit(c))
                continue;
            if (separator == '\0')
                separator = c;
            else if (c != separator)
                return false;
        }

        return true;
    }

    /// <summary>True when all characters of <paramref name="value"/> are the same.</summary>
    public static bool AllSame(ReadOnlySpan<char> value) => value.Length > 0 && !value.ContainsAnyExcept(value[0]);

    public static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static readonly System.Buffers.SearchValues<char> AsciiWordChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    /// <summary>The index just past the word that contains <paramref name="index"/> (vectorised over ASCII).</summary>
    public static int EndOfWord(string text, int index)
    {
        int i = index + 1;
        while (i < text.Length)
        {
            int stop = text.AsSpan(i).IndexOfAnyExcept(AsciiWordChars);
            if (stop < 0)
                return text.Length;
            i += stop;
            if (!IsWordChar(text[i]))
                return i;
            i++;
        }

        return i;
    }

    /// <summary>The character before <paramref name="index"/>, or a space at the start of the text.</summary>
    public static char Before(string text, int index) => index > 0 ? text[index - 1] : ' ';

    /// <summary>The character at <paramref name="index"/>, or a space past the end of the text.</summary>
    public static char At(string text, int index) => index < text.Length ? text[index] : ' ';

    /// <summary>
    /// True when the match <c>text[start..end]</c> is a fragment of a longer run of groups: across one separator
    /// (space, hyphen, dot or slash) the word before it contains a digit or starts with "+", or the word after it
    /// starts with a digit. "AT70 4579 7284 4040 4407" is not a card number, "+1 055 555 0455" not a national number.
    /// </summary>
    public static bool ContinuesDigitGroups(string text, int start, int end)
    {
        int before = start - 1;
        if (before >= 0 && text[before] is ' ' or '-' or '.' or '/')
        {
            int i = before - 1;
            bool digit = false;
            while (i >= 0 && (char.IsLetterOrDigit(text[i]) || text[i] == '+'))
                digit |= char.IsAsciiDigit(text[i--]) || text[i + 1] == '+';
            if (digit)
                return true;
        }

        return end + 1 < text.Length && text[end] is ' ' or '-' or '.' or '/' && char.IsAsciiDigit(text[end + 1]);
    }

    public static int Number(ReadOnlySpan<char> digits)
    {
        int value = 0;
        foreach (char c in digits)
            value = (value * 10) + (c - '0');
        return value;
    }
}
