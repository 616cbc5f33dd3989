namespace Warden.Privacy.Recognition;

/// <summary>
/// Dates reported as DATE_OF_BIRTH only when a context word ("born", "dob", "date of birth", "birthday", …) appears
/// among the words before them: a date alone is not personal data, and logs are full of them.
/// </summary>
internal static class DateOfBirthRecognizer
{
    private static readonly string[] MonthNames =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static readonly string[] ContextPhrases =
        ["born", "dob", "d o b", "date of birth", "birth date", "birthdate", "birth", "birthday", "bday"];

    // Every pattern needs a context word on the same line before the date, and every context phrase contains one of
    // these, so only the rest of a line after one of them can hold a match.
    private static readonly Scope AfterContext = Scope.RestOfLineAfter(["born", "dob", "d.o.b", "birth", "bday"]);

    public static Recognizer Create(int maxYear)
    {
        Validator numeric = (text, start, end) => ValidateNumeric(text, start, end, maxYear);
        Validator named = (text, start, end) => ValidateNamed(text, start, end, maxYear);
        return new PatternRecognizer(
            "DateOfBirthRecognizer",
            EntityTypes.DateOfBirth,
            [
                new("date (year first)", Patterns.DateYearFirst(), 0.6, numeric, RequiresContext: true, Scope: AfterContext),
                new("date (numeric)", Patterns.DateNumeric(), 0.6, numeric, RequiresContext: true, Scope: AfterContext),
                new("date (day month-name year)", Patterns.DateDayMonthName(), 0.6, named, RequiresContext: true, Scope: AfterContext),
                new("date (month-name day year)", Patterns.DateMonthNameDay(), 0.6, named, RequiresContext: true, Scope: AfterContext),
            ],
            new(ContextPhrases),
            contextStopsAtPreviousMatch: true);
    }

    /// <summary>
    /// One separator throughout, a real calendar date as year-month-day, day-month-year or month-day-year, and a year
    /// from 1900 to the configured maximum (two-digit years are accepted as written).
    /// </summary>
    internal static Validation ValidateNumeric(string text, int start, int end, int maxYear)
    {
        var value = text.AsSpan(start, end - start);
        char separator = value[value.IndexOfAnyExceptInRange('0', '9')];
        if (!Spans.SameSeparator(value))
            return Validation.Reject("mixed separators");
        Span<Range> parts = stackalloc Range[4];
        if (value.Split(parts, separator) != 3)
            return Validation.Reject("not three parts");
        int a = Spans.Number(value[parts[0]]), b = Spans.Number(value[parts[1]]), c = Spans.Number(value[parts[2]]);
        int aLength = value[parts[0]].Length, cLength = value[parts[2]].Length;
        bool valid = aLength == 4
            ? IsDate(a, b, c, maxYear)
            : IsDate(Year(c, cLength, maxYear), b, a, maxYear) || IsDate(Year(c, cLength, maxYear), a, b, maxYear);
        return valid ? Validation.Plausible("a real calendar date") : Validation.Reject("not a calendar date");
    }

    internal static Validation ValidateNamed(string text, int start, int end, int maxYear)
    {
        var value = text.AsSpan(start, end - start);
        int month = -1, day = -1;
        Span<Range> words = stackalloc Range[8];
        int count = value.SplitAny(words, " ,.");
        for (int i = 0; i < count; i++)
        {
            var word = value[words[i]];
            if (word.Length == 0)
                continue;
            if (char.IsAsciiLetter(word[0]))
            {
                for (int m = 0; m < MonthNames.Length && month < 0; m++)
                {
                    if (word.StartsWith(MonthNames[m], StringComparison.OrdinalIgnoreCase))
                        month = m + 1;
                }
            }
            else if (day < 0)
            {
                day = Spans.Number(word.TrimEnd("stndrh"));
            }
        }

        int year = Spans.Number(value[^4..]);
        return month > 0 && IsDate(year, month, day, maxYear)
            ? Validation.Plausible("a real calendar date")
            : Validation.Reject("not a calendar date");
    }

    // Two-digit years: the latest century that does not pass the maximum year.
    private static int Year(int value, int digits, int maxYear) =>
        digits != 2 ? value : 2000 + value <= maxYear ? 2000 + value : 1900 + value;

    private static bool IsDate(int year, int month, int day, int maxYear) =>
        year >= 1900 && year <= maxYear && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
}
