using System.Text.RegularExpressions;

namespace Warden.Privacy.Recognition;

/// <summary>
/// Every built-in regex. All use <see cref="RegexOptions.NonBacktracking"/>, so matching is linear in the input
/// whatever the text (no catastrophic backtracking, no timeout needed). The source generator validates each pattern
/// at compile time; for non-backtracking patterns it emits a cached, lazily built instance. Lookarounds and
/// backreferences are unavailable in this engine, so rules such as "same separator throughout" live in the validators.
/// Digits are written <c>[0-9]</c> because <c>\d</c> also matches other scripts' digits.
/// </summary>
internal static partial class Patterns
{
    private const RegexOptions Linear = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
    private const RegexOptions LinearIgnoreCase = Linear | RegexOptions.IgnoreCase;

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b", Linear)]
    internal static partial Regex Email();

    [GeneratedRegex(@"\b(?:https?|ftp)://[^\s<>""'`]+|\bwww\.[^\s<>""'`]+", LinearIgnoreCase)]
    internal static partial Regex Url();

    [GeneratedRegex(@"\+[0-9][0-9 ().\-]{5,22}[0-9]", Linear)]
    internal static partial Regex PhoneInternational();

    [GeneratedRegex(@"\([2-9][0-9]{2}\) ?[2-9][0-9]{2}[ .\-][0-9]{4}\b", Linear)]
    internal static partial Regex PhoneUsBracketed();

    [GeneratedRegex(@"\b[2-9][0-9]{2}[.\-][2-9][0-9]{2}[.\-][0-9]{4}\b", Linear)]
    internal static partial Regex PhoneUsDelimited();

    [GeneratedRegex(@"\b[2-9][0-9]{2} [2-9][0-9]{2} [0-9]{4}\b", Linear)]
    internal static partial Regex PhoneUsSpaced();

    [GeneratedRegex(@"\b0[1-9][0-9]{2,4}(?:[ \-][0-9]{3,4}[ \-]?|[0-9]{3,4}[ \-])[0-9]{3,4}\b", Linear)]
    internal static partial Regex PhoneUk();

    [GeneratedRegex(@"\(0[1-9][0-9]{1,4}\) ?[0-9]{3,4}[ \-]?[0-9]{3,4}\b", Linear)]
    internal static partial Regex PhoneNationalBracketed();

    [GeneratedRegex(@"\b0[1-9][0-9]{1,4}[ /\-][0-9]{3,8}(?:[ \-][0-9]{1,5})?\b", Linear)]
    internal static partial Regex PhoneDe();

    [GeneratedRegex(@"\b0[1-9](?:[ .\-][0-9]{2}){4}\b", Linear)]
    internal static partial Regex PhoneFr();

    [GeneratedRegex(@"\b[0-9]{10,12}\b", Linear)]
    internal static partial Regex PhoneUndelimited();

    [GeneratedRegex(@"\b[0-9]{4}(?:[ \-][0-9]{4}){3}(?:[ \-]?[0-9]{1,3})?\b", Linear)]
    internal static partial Regex CardGroupsOfFour();

    [GeneratedRegex(@"\b3[0-9]{3}[ \-][0-9]{6}[ \-][0-9]{4,5}\b", Linear)]
    internal static partial Regex CardAmexDiners();

    [GeneratedRegex(@"\b[0-9]{13,19}\b", Linear)]
    internal static partial Regex CardUndelimited();

    [GeneratedRegex(@"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b", Linear)]
    internal static partial Regex Iban();

    [GeneratedRegex(@"\b[0-9]{3}[ .\-][0-9]{2}[ .\-][0-9]{4}\b", Linear)]
    internal static partial Regex SsnDelimited();

    [GeneratedRegex(@"\b[0-9]{9}\b", Linear)]
    internal static partial Regex NineDigits();

    [GeneratedRegex(@"\b9[0-9]{2}[ \-](?:5[0-9]|6[0-5]|7[0-9]|8[0-8]|9[0-24-9])[ \-][0-9]{4}\b", Linear)]
    internal static partial Regex ItinDelimited();

    [GeneratedRegex(@"\b[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b", Linear)]
    internal static partial Regex Nino();

    [GeneratedRegex(@"\b[0-9]{3}[ \-]?[0-9]{3}[ \-]?[0-9]{4}\b", Linear)]
    internal static partial Regex Nhs();

    [GeneratedRegex(@"\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b", Linear)]
    internal static partial Regex IPv4();

    [GeneratedRegex(@"(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|[0-9A-Fa-f]{1,4})?", Linear)]
    internal static partial Regex IPv6();

    [GeneratedRegex(@"\b(?:19|20)[0-9]{2}[\-/.][0-9]{1,2}[\-/.][0-9]{1,2}\b", Linear)]
    internal static partial Regex DateYearFirst();

    [GeneratedRegex(@"\b[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-](?:[0-9]{4}|[0-9]{2})\b", Linear)]
    internal static partial Regex DateNumeric();

    [GeneratedRegex(@"\b[0-9]{1,2}(?:st|nd|rd|th)?(?: of)? (?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,? [0-9]{4}\b", LinearIgnoreCase)]
    internal static partial Regex DateDayMonthName();

    [GeneratedRegex(@"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.? [0-9]{1,2}(?:st|nd|rd|th)?,? [0-9]{4}\b", LinearIgnoreCase)]
    internal static partial Regex DateMonthNameDay();

    /// <summary>An encrypted token written by <see cref="PiiCipher"/>.</summary>
    [GeneratedRegex(@"<ENC:[A-Z][A-Z0-9_]*:[A-Za-z0-9_\-]+>", Linear)]
    internal static partial Regex EncryptedToken();
}
