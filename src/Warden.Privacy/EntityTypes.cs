namespace Warden.Privacy;

/// <summary>The entity type names produced by the built-in recognizers (Presidio's names).</summary>
public static class EntityTypes
{
    /// <summary>An e-mail address with a syntactically valid domain.</summary>
    public const string EmailAddress = "EMAIL_ADDRESS";

    /// <summary>A telephone number in E.164 or a common national format (US, UK, DE, FR).</summary>
    public const string PhoneNumber = "PHONE_NUMBER";

    /// <summary>A payment card number that passes the Luhn check and matches an issuer's prefix and length.</summary>
    public const string CreditCard = "CREDIT_CARD";

    /// <summary>An International Bank Account Number with the right length, format and ISO 7064 mod-97 check digits.</summary>
    public const string IbanCode = "IBAN_CODE";

    /// <summary>A United States Social Security Number.</summary>
    public const string UsSsn = "US_SSN";

    /// <summary>A United States Individual Taxpayer Identification Number.</summary>
    public const string UsItin = "US_ITIN";

    /// <summary>A United Kingdom National Insurance number.</summary>
    public const string UkNino = "UK_NINO";

    /// <summary>A United Kingdom NHS number (mod-11 check digit).</summary>
    public const string UkNhs = "UK_NHS";

    /// <summary>An IPv4 or IPv6 address.</summary>
    public const string IpAddress = "IP_ADDRESS";

    /// <summary>A calendar date written near words such as "born" or "date of birth".</summary>
    public const string DateOfBirth = "DATE_OF_BIRTH";

    /// <summary>An http, https or ftp URL, or one starting with <c>www.</c>.</summary>
    public const string Url = "URL";

    /// <summary>A person's name, found from name lists, titles and context words.</summary>
    public const string Person = "PERSON";

    /// <summary>Every built-in entity type.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        EmailAddress, PhoneNumber, CreditCard, IbanCode, UsSsn, UsItin, UkNino, UkNhs, IpAddress, DateOfBirth, Url, Person,
    ];
}
