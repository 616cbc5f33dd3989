using System.Net;
using System.Net.Sockets;

namespace Warden.Privacy.Recognition;

/// <summary>E-mail addresses, URLs and IP addresses.</summary>
internal static class NetworkRecognizers
{
    public static Recognizer Email() => new PatternRecognizer(
        "EmailRecognizer",
        EntityTypes.EmailAddress,
        [new("e-mail address", Patterns.Email(), 0.5, ValidateEmail, Scope: Scope.Tokens(["@"]))],
        new(["email", "e mail", "mail", "contact"]));

    public static Recognizer Url() => new PatternRecognizer(
        "UrlRecognizer",
        EntityTypes.Url,
        [new("URL", Patterns.Url(), 0.5, ValidateUrl, Scope: Scope.Tokens(["://", "www."]))],
        new(["url", "link", "website", "site"]));

    public static Recognizer IpAddress() => new PatternRecognizer(
        "IpRecognizer",
        EntityTypes.IpAddress,
        [
            new("IPv4 address", Patterns.IPv4(), 0.5, ValidateIPv4, Scope: Scope.Numeric(4, minDots: 3)),
            // Every IPv6 address has "::", seven colons, or six and an IPv4 tail; timestamps ("10:15:23") have none.
            new("IPv6 address", Patterns.IPv6(), 0.5, ValidateIPv6, Scope: Scope.Tokens([":"], static token =>
                token.Contains("::", StringComparison.Ordinal) || token.Count(':') >= 6)),
        ],
        new(["ip", "address", "host", "client", "remote"]));

    /// <summary>
    /// A local part of at most 64 characters without leading, trailing or doubled dots, and a syntactically valid
    /// domain (see <see cref="IsValidDomain"/>).
    /// </summary>
    internal static Validation ValidateEmail(string text, int start, int end)
    {
        var value = text.AsSpan(start, end - start);
        int at = value.IndexOf('@');
        var local = value[..at];
        var domain = value[(at + 1)..];
        if (local.Length > 64)
            return Validation.Reject("local part longer than 64 characters");
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
            return Validation.Reject("misplaced dot in the local part");
        if (!IsValidDomain(domain, out var reason))
            return Validation.Reject(reason);
        return Validation.Confirm("domain syntactically valid");
    }

    /// <summary>
    /// At most 253 characters of dot-separated labels; each label 1–63 letters, digits or hyphens, not starting or
    /// ending with a hyphen; at least two labels; the last (the TLD) two or more letters.
    /// </summary>
    internal static bool IsValidDomain(ReadOnlySpan<char> domain, out string reason)
    {
        reason = "";
        if (domain.Length is 0 or > 253)
        {
            reason = "domain length out of range";
            return false;
        }

        int labels = 0;
        var rest = domain;
        while (true)
        {
            int dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            labels++;
            if (label.Length is 0 or > 63)
            {
                reason = "domain label empty or longer than 63 characters";
                return false;
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                reason = "domain label starts or ends with a hyphen";
                return false;
            }

            foreach (char c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    reason = "domain label has a character other than a letter, digit or hyphen";
                    return false;
                }
            }

            if (dot < 0)
            {
                if (labels < 2 || label.Length < 2 || label.ContainsAnyExcept(AsciiLetters))
                {
                    reason = "top-level domain is not two or more letters";
                    return false;
                }

                return true;
            }

            rest = rest[(dot + 1)..];
        }
    }

    private static readonly System.Buffers.SearchValues<char> AsciiLetters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>
    /// Trailing sentence punctuation (and a closing bracket without its opening one) is cut off; the rest must parse
    /// as an absolute <see cref="Uri"/> whose host is an IP address or a valid domain.
    /// </summary>
    internal static Validation ValidateUrl(string text, int start, int end)
    {
        while (end > start)
        {
            char last = text[end - 1];
            bool trim = last is '.' or ',' or ';' or ':' or '!' or '?' or '\'' or '"'
                || (last == ')' && text.AsSpan(start, end - start).Count('(') < text.AsSpan(start, end - start).Count(')'))
                || (last == ']' && !text.AsSpan(start, end - start).Contains('['))
                || (last == '}' && !text.AsSpan(start, end - start).Contains('{'));
            if (!trim)
                break;
            end--;
        }

        var value = text.AsSpan(start, end - start);
        string candidate = value.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? "http://" + value.ToString() : value.ToString();
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            return Validation.Reject("not an absolute URL");
        if (uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6)
            && !IsValidDomain(uri.IdnHost, out var reason))
        {
            return Validation.Reject(reason);
        }

        return Validation.Confirm("absolute URL with a valid host").At(start, end);
    }

    /// <summary>
    /// Four decimal octets 0–255 without leading zeros (which <see cref="IPAddress"/> would read as octal), not part
    /// of a longer dotted number such as an OID or version "1.2.3.4.5", not right after a word such as "version" or
    /// "build" (assembly and agent versions have four parts too), confirmed by <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/>.
    /// </summary>
    internal static Validation ValidateIPv4(string text, int start, int end)
    {
        if ((Spans.Before(text, start) == '.' && char.IsAsciiDigit(Spans.Before(text, start - 1)))
            || (Spans.At(text, end) == '.' && char.IsAsciiDigit(Spans.At(text, end + 1))))
        {
            return Validation.Reject("part of a longer dotted number");
        }

        if (PrecededByVersionWord(text, start))
            return Validation.Reject("a version number (\"version\", \"build\", … before it)");
        var value = text.AsSpan(start, end - start);
        foreach (var range in value.Split('.'))
        {
            var octet = value[range];
            if (octet.Length > 1 && octet[0] == '0')
                return Validation.Reject("octet with a leading zero");
            if (Spans.Number(octet) > 255)
                return Validation.Reject("octet above 255");
        }

        return IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetwork
            ? Validation.Confirm("valid IPv4 address")
            : Validation.Reject("not an IPv4 address");
    }

    private static readonly string[] VersionWords = ["version", "ver", "v", "build", "release", "firmware", "rev", "revision"];

    /// <summary>True when the word just before <paramref name="start"/> (across spaces, "=", ":" or ",") is a version word.</summary>
    private static bool PrecededByVersionWord(string text, int start)
    {
        int i = start - 1;
        while (i >= 0 && text[i] is ' ' or '=' or ':' or ',')
            i--;
        int end = i + 1;
        while (i >= 0 && char.IsLetter(text[i]))
            i--;
        var word = text.AsSpan(i + 1, end - i - 1);
        foreach (var version in VersionWords)
        {
            if (word.Equals(version, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        return false;
    }

    /// <summary>
    /// Not glued to a word or to more colon groups, at least one hex digit, and accepted by <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/>
    /// as IPv6 (the candidate never contains a zone such as <c>%eth0</c>, so parsing never consults the network
    /// interfaces). A single trailing colon ("…::1:" at the end of a clause) is dropped.
    /// </summary>
    internal static Validation ValidateIPv6(string text, int start, int end)
    {
        char before = Spans.Before(text, start);
        if (Spans.IsWordChar(before) || before is '.' or ':')
            return Validation.Reject("glued to a word");
        if (Spans.IsWordChar(Spans.At(text, end)) || Spans.At(text, end) is '.' or ':')
            return Validation.Reject("glued to a word or part of a longer run of colon groups");
        var value = text.AsSpan(start, end - start);
        if (!value.ContainsAnyExcept(':'))
            return Validation.Reject("no hex digits");
        if (IsIPv6(value))
            return Validation.Confirm("valid IPv6 address");
        if (value.Length > 2 && value[^1] == ':' && value[^2] != ':' && IsIPv6(value[..^1]))
            return Validation.Confirm("valid IPv6 address").At(start, end - 1);
        return Validation.Reject("not an IPv6 address");
    }

    private static bool IsIPv6(ReadOnlySpan<char> value) =>
        IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
}
