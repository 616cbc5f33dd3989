using System.Globalization;
using System.Text;

namespace Warden.Privacy.Tests.Corpus;

/// <summary>A gold label: the entity at [Start, End) of the sentence.</summary>
public sealed record Gold(string EntityType, int Start, int End);

/// <summary>A generated sentence and its gold labels.</summary>
public sealed record LabelledSentence(int TemplateId, string Text, IReadOnlyList<Gold> Labels);

/// <summary>
/// Sentences generated from templates whose {SLOTS} are filled with seeded synthetic values. A valid value becomes a
/// gold label; an invalid one (bad checksum, never-issued number, impossible date, bad domain) must not be reported.
/// Templates are split into a tuning set and a held-out set by id, so the quality assertions are made on phrasings
/// that were not used to tune the recognizers.
/// </summary>
public static class LabelledCorpus
{
    /// <summary>
    /// The templates. Slots: EMAIL PHONE CARD IBAN IBAN_COMPACT SSN SSN_BARE ITIN NINO NINO_COMPACT NHS IP IP6 URL
    /// DOB (a date after a birth context word) DATE (a date with no such word: never a label) NAME (listed names)
    /// NAME_MIXED (listed given name, unlisted family name) NAME_UNLISTED (neither listed) FIRST (a listed given name
    /// alone), and noise that must never be labelled: TS UUID HEX NUM VER (three parts) VER4 (four parts, shaped like an
    /// IPv4 address) DURATION EPOCH (ten-digit Unix time) DIGITS16 (a sixteen-digit id that passes Luhn one time in ten).
    /// </summary>
    public static IReadOnlyList<string> Templates { get; } =
    [
        "2026-03-01T10:22:13Z INFO user login ok email={EMAIL} ip={IP}",
        "Please contact {EMAIL} if the invoice is wrong.",
        "{\"event\":\"signup\",\"email\":\"{EMAIL}\",\"plan\":\"pro\"}",
        "Forwarded by {EMAIL} on behalf of {NAME}.",
        "To: {EMAIL}; Cc: {EMAIL}",
        "bounce: <{EMAIL}> mailbox unavailable (550)",
        "Call me on {PHONE} after 5pm.",
        "customer_phone={PHONE} status=verified",
        "Tel: {PHONE}",
        "The support line {PHONE} is open weekdays.",
        "SMS sent to {PHONE} at {TS} (id {UUID})",
        "Mobile: {PHONE} / Office: {PHONE}",
        "payment accepted card={CARD} amount=42.50 currency=EUR",
        "Your card {CARD} expires 09/27.",
        "Charge of $19.99 declined for card number {CARD}.",
        "pan:{CARD} auth_code={HEX}",
        "Card replaced by {CARD} on {TS}",
        "Please transfer the deposit to IBAN {IBAN} by Friday.",
        "beneficiary_iban={IBAN_COMPACT} ref={NUM}",
        "SEPA credit {IBAN} EUR 1,250.00 booked",
        "Account: {IBAN}",
        "refund issued to {IBAN_COMPACT} for order {NUM}",
        "SSN: {SSN}",
        "applicant ssn={SSN_BARE} status=pending",
        "Her social security number is {SSN}.",
        "W-2 record {NUM}: employee {NAME}, SSN {SSN}",
        "verify {SSN} against the payroll file",
        "ITIN {ITIN} was issued to the taxpayer.",
        "tax_id={ITIN} form=W-7",
        "Individual taxpayer identification number: {ITIN}",
        "National Insurance number: {NINO}",
        "nino={NINO_COMPACT} employer_ref={NUM}",
        "Please quote your NI number {NINO} in all correspondence.",
        "payroll row {NUM}: NINO {NINO}, tax code 1257L",
        "NHS number {NHS} registered at the practice.",
        "patient nhs_no={NHS} ward=7B",
        "Patient {NAME} (NHS {NHS}) was discharged.",
        "{TS} GET /api/v1/models 200 from {IP} in {DURATION}",
        "connection refused: {IP}:5432",
        "client_ip={IP6} user_agent=curl/8.4",
        "Blocked {IP} after 5 failed logins",
        "upstream [{IP6}]:443 timed out",
        "peer {IP} runs build {VER}",
        "See {URL} for details.",
        "redirect_uri={URL} state={HEX}",
        "Download the report at {URL}.",
        "referer: {URL}",
        "Patient born {DOB}, admitted {DATE}.",
        "dob={DOB} gender=F",
        "Date of birth: {DOB}",
        "{NAME}'s birthday is {DOB}.",
        "Report generated on {DATE} for account {NUM}.",
        "He was born on {DOB} in Leeds.",
        "Dear {NAME},",
        "Meeting with Mr {NAME_UNLISTED} moved to Tuesday.",
        "customer: {NAME_MIXED}",
        "Signed, {NAME}",
        "Dr. {NAME_UNLISTED} reviewed the scan.",
        "{NAME} approved model version {VER}.",
        "The ticket was closed by {NAME_UNLISTED}.",
        "Reviewer: {NAME_MIXED}; approver: {NAME}",
        "Thanks {FIRST}, see you tomorrow.",
        "{TS} INFO request_id={UUID} latency={DURATION} status=200",
        "build {VER} deployed to cluster prod-eu-1 at {TS}",
        "cache hit ratio 0.93 for key {HEX} size {NUM} bytes",
        "Retrying in {DURATION} (attempt 3 of 5)",
        "Order {NUM} shipped on {DATE} via DHL",
        "GET /api/v1/items/{NUM}?page=2 HTTP/1.1 200 {NUM}",
        "The Quarterly Review Meeting Is Scheduled For Monday",
        "Version {VER} of the Model Registry shipped with {NUM} fixes.",
        "Invoice {NUM} total 1,234.56 due {DATE}",
        "span_id={HEX} trace_id={HEX} parent={HEX}",
        "{NAME} <{EMAIL}> called from {PHONE} about card {CARD}",
        "user={EMAIL} ip={IP} ssn={SSN} iban={IBAN}",
        "Contact {NAME} at {EMAIL} or {PHONE}.",
        "Mrs {NAME_MIXED} updated her phone to {PHONE}",
        "The applicant, {NAME}, gave NI number {NINO_COMPACT} and date of birth {DOB}.",
        "wire to {IBAN} from card {CARD} flagged by rule {NUM}",
        "login failed for {EMAIL} from {IP6}",
        "Ms {NAME} asked us to delete {URL} from the index",
        "loaded assembly Warden.Privacy, Version={VER4}, Culture=neutral",
        "trace={DIGITS16} span={HEX} sampled=true",
        "ts={EPOCH} level=info msg=\"cache warmed\" entries={NUM}",
        "batch {DIGITS16} finished in {DURATION} on build {VER4}",
        "epoch {EPOCH}: {NUM} rows from {IP}, checksum {DIGITS16}",
        "agent version {VER4} reported from {IP6}",
    ];

    /// <summary>Templates whose id leaves remainder 2 when divided by 3 are held out (about one in three).</summary>
    public static bool IsHeldOut(int templateId) => templateId % 3 == 2;

    /// <summary>The fraction of slots filled with a valid value; the rest get an invalid one.</summary>
    public const double ValidShare = 0.75;

    public static IEnumerable<LabelledSentence> Generate(int instancesPerTemplate, int seed)
    {
        for (int id = 0; id < Templates.Count; id++)
        {
            for (int i = 0; i < instancesPerTemplate; i++)
                yield return Fill(id, new Synthetic(InstanceSeed(seed, id, i)));
        }
    }

    /// <summary>A fixed mix of the three numbers (not <see cref="HashCode"/>, which is randomised per process).</summary>
    internal static int InstanceSeed(int seed, int templateId, int instance) =>
        unchecked((seed * 1_000_003) + (templateId * 10_007) + instance);

    private static LabelledSentence Fill(int id, Synthetic s)
    {
        string template = Templates[id];
        var text = new StringBuilder();
        var labels = new List<Gold>();
        int i = 0;
        while (i < template.Length)
        {
            // A slot is {UPPER_CASE}; JSON braces in templates are not followed by an upper-case letter.
            if (template[i] == '{' && i + 1 < template.Length && char.IsAsciiLetterUpper(template[i + 1]))
            {
                int close = template.IndexOf('}', i);
                string slot = template[(i + 1)..close];
                bool valid = s.Random.NextDouble() < ValidShare;
                var (value, entity) = Value(slot, valid, s);
                if (entity is not null)
                    labels.Add(new Gold(entity, text.Length, text.Length + value.Length));
                text.Append(value);
                i = close + 1;
            }
            else
            {
                text.Append(template[i++]);
            }
        }

        return new LabelledSentence(id, text.ToString(), labels);
    }

    private static (string Value, string? Entity) Value(string slot, bool valid, Synthetic s)
    {
        static (string, string?) Labelled(string value, bool valid, string entity) => (value, valid ? entity : null);
        return slot switch
        {
            "EMAIL" => Labelled(s.Email(valid), valid, EntityTypes.EmailAddress),
            "PHONE" => Labelled(s.Phone(valid), valid, EntityTypes.PhoneNumber),
            "CARD" => Labelled(s.CardNumber(valid), valid, EntityTypes.CreditCard),
            "IBAN" => Labelled(s.Iban(valid, grouped: s.Random.Next(2) == 0), valid, EntityTypes.IbanCode),
            "IBAN_COMPACT" => Labelled(s.Iban(valid, grouped: false), valid, EntityTypes.IbanCode),
            "SSN" => Labelled(s.Ssn(valid), valid, EntityTypes.UsSsn),
            "SSN_BARE" => Labelled(s.Ssn(valid, '\0'), valid, EntityTypes.UsSsn),
            "ITIN" => Labelled(s.Itin(valid), valid, EntityTypes.UsItin),
            "NINO" => Labelled(s.Nino(valid, spaced: s.Random.Next(2) == 0), valid, EntityTypes.UkNino),
            "NINO_COMPACT" => Labelled(s.Nino(valid, spaced: false), valid, EntityTypes.UkNino),
            "NHS" => Labelled(s.Nhs(valid), valid, EntityTypes.UkNhs),
            "IP" => Labelled(s.IPv4(valid), valid, EntityTypes.IpAddress),
            "IP6" => Labelled(s.IPv6(valid), valid, EntityTypes.IpAddress),
            "URL" => Labelled(s.Url(valid), valid, EntityTypes.Url),
            "DOB" => Labelled(s.Date(valid), valid, EntityTypes.DateOfBirth),
            "DATE" => (s.Date(valid: true), null),
            "NAME" => (s.ListedFullName(), EntityTypes.Person),
            "NAME_MIXED" => (s.ListedFirstWithUnlistedLast(), EntityTypes.Person),
            "NAME_UNLISTED" => (s.UnlistedFullName(), EntityTypes.Person),
            "FIRST" => (s.Pick(PersonNames.DefaultFirstNames), EntityTypes.Person),
            "TS" => ($"2026-{1 + s.Random.Next(12):00}-{1 + s.Random.Next(28):00}T{s.Random.Next(24):00}:{s.Random.Next(60):00}:{s.Random.Next(60):00}.{s.Random.Next(1000):000}Z", null),
            "UUID" => (new Guid(s.Digits(16).Select(c => (byte)(c * 7)).ToArray()).ToString(), null),
            "HEX" => (Convert.ToHexStringLower(s.Digits(8).Select(c => (byte)(c * 13)).ToArray()), null),
            "NUM" => ((1 + s.Random.Next(999_999)).ToString(CultureInfo.InvariantCulture), null),
            "VER" => ($"{s.Random.Next(1, 12)}.{s.Random.Next(20)}.{s.Random.Next(40)}", null),
            "VER4" => ($"{s.Random.Next(1, 12)}.{s.Random.Next(20)}.{s.Random.Next(40)}.{s.Random.Next(10)}", null),
            "EPOCH" => ((1_600_000_000 + s.Random.Next(200_000_000)).ToString(CultureInfo.InvariantCulture), null),
            "DIGITS16" => (s.Random.Next(1, 10).ToString(CultureInfo.InvariantCulture) + s.Digits(15), null),
            "DURATION" => (s.Random.Next(2) == 0 ? $"{s.Random.Next(1, 900)}ms" : $"{s.Random.Next(1, 60)}.{s.Random.Next(10)}s", null),
            _ => throw new InvalidOperationException($"Unknown slot {slot}"),
        };
    }
}
