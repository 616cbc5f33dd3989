using static Warden.Privacy.Tests.TestAnalyzer;

namespace Warden.Privacy.Tests;

/// <summary>What each built-in recognizer reports and what it refuses, with the score it gives.</summary>
public sealed class RecognizerTests
{
    [Theory]
    [InlineData("mail alice.smith@example.com now", "alice.smith@example.com")]
    [InlineData("{\"email\":\"bob+tag@sub.example.co.uk\"}", "bob+tag@sub.example.co.uk")]
    [InlineData("bounce: <k9@mail.example.net>.", "k9@mail.example.net")]
    public void Email_with_a_valid_domain_is_confirmed(string text, string expected)
    {
        var found = Find(text, EntityTypes.EmailAddress);
        Assert.Equal([(expected, 1.0)], found);
    }

    [Theory]
    [InlineData("user@localhost")]
    [InlineData("user@example.c")]
    [InlineData("user@-example.com")]
    [InlineData("user@example-.com")]
    [InlineData("user@exa..mple.com")]
    [InlineData(".alice@example.com")]
    [InlineData("alice..smith@example.com")]
    [InlineData("user@example.c0m")]
    public void Email_with_an_invalid_local_part_or_domain_is_not_reported(string text) =>
        Assert.Empty(Find(text, EntityTypes.EmailAddress));

    [Fact]
    public void Email_domain_labels_longer_than_63_characters_are_refused()
    {
        Assert.Empty(Find($"x@{new string('a', 64)}.com", EntityTypes.EmailAddress));
        Assert.Single(Find($"x@{new string('a', 63)}.com", EntityTypes.EmailAddress));
    }

    [Theory]
    [InlineData("Office (212) 555-0142 today", "(212) 555-0142", 0.7)]
    [InlineData("Call (212) 555-0142 today", "(212) 555-0142", 1.0)]
    [InlineData("office +44 20 7946 0958.", "+44 20 7946 0958", 0.7)]
    [InlineData("us +1 415 555 0132", "+1 415 555 0132", 0.7)]
    [InlineData("uk +44 (0)20 7946 0958", "+44 (0)20 7946 0958", 0.7)]
    [InlineData("de +49 30 12345678", "+49 30 12345678", 0.7)]
    [InlineData("fr +33 6 12 34 56 78", "+33 6 12 34 56 78", 0.7)]
    [InlineData("ring 212-555-0142 now", "212-555-0142", 0.5)]
    [InlineData("london 020 7946 0958", "020 7946 0958", 0.5)]
    [InlineData("mobile 07700 900123", "07700 900123", 0.85)]
    [InlineData("berlin 030 12345678", "030 12345678", 0.5)]
    [InlineData("munich 089/1234567", "089/1234567", 0.5)]
    [InlineData("paris 01 23 45 67 89", "01 23 45 67 89", 0.5)]
    [InlineData("paris 06.12.34.56.78", "06.12.34.56.78", 0.5)]
    public void Phone_numbers_in_international_and_national_layouts_are_found(string text, string expected, double score)
    {
        var found = Find(text, EntityTypes.PhoneNumber);
        Assert.Equal([(expected, score)], found);
    }

    [Fact]
    public void Undelimited_and_space_separated_us_numbers_need_a_context_word()
    {
        Assert.Empty(Find("order 2125550142 shipped", EntityTypes.PhoneNumber));
        Assert.Equal([("2125550142", 0.65)], Find("call 2125550142 please", EntityTypes.PhoneNumber));
        Assert.Empty(Find("ref 212 555 0142", EntityTypes.PhoneNumber));
        Assert.Equal([("212 555 0142", 0.65)], Find("phone: 212 555 0142", EntityTypes.PhoneNumber));
    }

    [Theory]
    [InlineData("(911) 555-0100")]
    [InlineData("(212) 155-0100")]
    [InlineData("+1 123 456 7890")]
    [InlineData("+44 20 12")]
    [InlineData("212-555.0142")]
    [InlineData("+0 123 456 7890")]
    [InlineData("+1 212 555 0142 9999 8888")]
    public void Impossible_phone_numbers_are_not_reported(string text)
    {
        var found = Find(text, EntityTypes.PhoneNumber);
        // "+1 212 555 0142 9999 8888" keeps only its valid prefix; everything else yields nothing.
        Assert.All(found, f => Assert.Equal("+1 212 555 0142", f.Value));
    }

    [Fact]
    public void A_national_number_inside_a_longer_run_of_digit_groups_is_not_reported()
    {
        Assert.Empty(Find("card 2720 0959 6448 0563 declined", EntityTypes.PhoneNumber));
        Assert.Empty(Find("phone +1 055 555 0455", EntityTypes.PhoneNumber));
    }

    [Theory]
    [InlineData("card 4111 1111 1111 1111 ok", "4111 1111 1111 1111")]
    [InlineData("card 5500-0000-0000-0004 ok", "5500-0000-0000-0004")]
    [InlineData("amex 378282246310005", "378282246310005")]
    [InlineData("amex 3782 822463 10005", "3782 822463 10005")]
    [InlineData("discover 6011111111111117", "6011111111111117")]
    [InlineData("diners 30569309025904", "30569309025904")]
    [InlineData("jcb 3530111333300000", "3530111333300000")]
    [InlineData("mastercard 2221000000000009", "2221000000000009")]
    public void Card_numbers_with_an_issuer_prefix_and_a_valid_luhn_digit_are_confirmed(string text, string expected) =>
        Assert.Equal([(expected, 1.0)], Find(text, EntityTypes.CreditCard));

    [Theory]
    [InlineData("4111 1111 1111 1112")]
    [InlineData("4111-1111 1111-1111")]
    [InlineData("0000 0000 0000 0000")]
    [InlineData("1234 5678 9012 3452")]
    [InlineData("iban AT70 4579 7284 4040 4407")]
    [InlineData("3782 822463 10006")]
    public void Card_numbers_failing_luhn_issuer_or_layout_are_not_reported(string text) =>
        Assert.Empty(Find(text, EntityTypes.CreditCard));

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 32")]
    [InlineData("DE89370400440532013000")]
    [InlineData("NL91ABNA0417164300")]
    [InlineData("FR14 2004 1010 0505 0001 3M02 606")]
    [InlineData("BE68 5390 0754 7034")]
    [InlineData("CH93 0076 2011 6238 5295 7")]
    [InlineData("NO93 8601 1117 947")]
    [InlineData("MT84 MALT 0110 0001 2345 MTLC AST0 01S")]
    public void Ibans_with_registry_length_structure_and_mod97_digits_are_confirmed(string iban) =>
        Assert.Equal([(iban, 1.0)], Find($"pay to {iban} today", EntityTypes.IbanCode));

    [Fact]
    public void An_iban_followed_by_an_upper_case_word_is_cut_back_to_its_registry_length()
    {
        const string text = "IBAN DE89 3704 0044 0532 0130 00 EUR 120.00";
        Assert.Equal([("DE89 3704 0044 0532 0130 00", 1.0)], Find(text, EntityTypes.IbanCode));
    }

    [Theory]
    [InlineData("GB81 WEST 1234 5698 7654 32")]
    [InlineData("DE89 3704 0044 0532 0130 0")]
    [InlineData("XX89370400440532013000")]
    [InlineData("DE8937040044053201300012")]
    public void Ibans_with_bad_check_digits_length_or_country_are_not_reported(string iban) =>
        Assert.Empty(Find($"pay to {iban} today", EntityTypes.IbanCode));

    [Fact]
    public void An_iban_whose_account_part_breaks_the_country_structure_is_refused_even_with_valid_check_digits()
    {
        // GB is 4 letters + 14 digits; digits in the bank code break the structure. Check digits computed so mod-97 passes.
        const string bban = "12341234569876543";
        string bad = "GB" + Corpus.Synthetic.IbanCheckDigits("GB", bban + "2") + bban + "2";
        Assert.Equal(22, bad.Length);
        Assert.Empty(Find($"pay to {bad}", EntityTypes.IbanCode));
    }

    [Theory]
    [InlineData("SSN: 536-22-1234", "536-22-1234", 0.85)]
    [InlineData("verify 536-22-1234 now", "536-22-1234", 0.5)]
    [InlineData("social security number 536 22 1234", "536 22 1234", 0.85)]
    [InlineData("ssn=536.22.1234", "536.22.1234", 0.85)]
    [InlineData("ssn 536221234", "536221234", 0.65)]
    public void Ssns_with_issuable_area_group_and_serial_are_found(string text, string expected, double score) =>
        Assert.Equal([(expected, score)], Find(text, EntityTypes.UsSsn));

    [Theory]
    [InlineData("SSN 078-05-1120")]
    [InlineData("SSN 219-09-9999")]
    [InlineData("SSN 123-45-6789")]
    [InlineData("SSN 000-12-3456")]
    [InlineData("SSN 666-12-3456")]
    [InlineData("SSN 912-34-5678")]
    [InlineData("SSN 536-00-1234")]
    [InlineData("SSN 536-22-0000")]
    [InlineData("SSN 111-11-1111")]
    [InlineData("SSN 536-22.1234")]
    [InlineData("ref 536221234")]
    public void Never_issued_sample_or_context_free_bare_ssns_are_not_reported(string text) =>
        Assert.Empty(Find(text, EntityTypes.UsSsn));

    [Theory]
    [InlineData("ITIN 912-78-1234", "912-78-1234", 0.85)]
    [InlineData("tax id 900-70-0001", "900-70-0001", 0.85)]
    [InlineData("form 999-99-9998", "999-99-9998", 0.5)]
    [InlineData("individual taxpayer 950 50 1234", "950 50 1234", 0.85)]
    public void Itins_in_the_issued_group_ranges_are_found(string text, string expected, double score) =>
        Assert.Equal([(expected, score)], Find(text, EntityTypes.UsItin));

    [Theory]
    [InlineData("ITIN 912-93-1234")]
    [InlineData("ITIN 912-66-1234")]
    [InlineData("ITIN 912-89-1234")]
    [InlineData("ITIN 812-78-1234")]
    public void Itins_outside_the_issued_group_ranges_are_not_reported(string text) =>
        Assert.Empty(Find(text, EntityTypes.UsItin));

    [Theory]
    [InlineData("NINO AB123456C", "AB123456C", 0.85)]
    [InlineData("national insurance AB 12 34 56 C", "AB 12 34 56 C", 0.85)]
    [InlineData("ref JG103759A", "JG103759A", 0.5)]
    [InlineData("ref CE123456D", "CE123456D", 0.5)]
    public void Ninos_with_an_issuable_prefix_are_found(string text, string expected, double score) =>
        Assert.Equal([(expected, score)], Find(text, EntityTypes.UkNino));

    [Theory]
    [InlineData("DA123456C")]
    [InlineData("FA123456C")]
    [InlineData("IA123456C")]
    [InlineData("QQ123456C")]
    [InlineData("UA123456C")]
    [InlineData("VA123456C")]
    [InlineData("AD123456C")]
    [InlineData("AF123456C")]
    [InlineData("AI123456C")]
    [InlineData("AO123456C")]
    [InlineData("AQ123456C")]
    [InlineData("AU123456C")]
    [InlineData("AV123456C")]
    [InlineData("BG123456A")]
    [InlineData("GB123456A")]
    [InlineData("KN123456A")]
    [InlineData("NK123456A")]
    [InlineData("NT123456A")]
    [InlineData("TN123456A")]
    [InlineData("ZZ123456A")]
    [InlineData("AB123456E")]
    [InlineData("AB 1234 56 C")]
    public void Ninos_with_never_issued_prefixes_letters_or_spacing_are_not_reported(string nino) =>
        Assert.Empty(Find($"NINO {nino}", EntityTypes.UkNino));

    [Theory]
    [InlineData("NHS number 943 476 5919", "943 476 5919")]
    [InlineData("patient nhs_no=9434765919 ward 7", "9434765919")]
    [InlineData("NHS: 943-476-5919", "943-476-5919")]
    public void Nhs_numbers_with_a_valid_mod11_digit_near_context_are_confirmed(string text, string expected) =>
        Assert.Equal([(expected, 1.0)], Find(text, EntityTypes.UkNhs));

    [Theory]
    [InlineData("ref 943 476 5919")]
    [InlineData("NHS number 943 476 5918")]
    [InlineData("NHS number 000 000 0000")]
    [InlineData("NHS number 943 476-5919")]
    [InlineData("NHS number\n943 476 5919")]
    public void Nhs_numbers_without_context_or_with_a_bad_check_digit_are_not_reported(string text) =>
        Assert.Empty(Find(text, EntityTypes.UkNhs));

    [Theory]
    [InlineData("from 192.168.1.20 ok", "192.168.1.20")]
    [InlineData("ip=10.0.0.1", "10.0.0.1")]
    [InlineData("client 2001:db8::1 connected", "2001:db8::1")]
    [InlineData("link fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890a")]
    [InlineData("mapped ::ffff:192.0.2.128 ok", "::ffff:192.0.2.128")]
    [InlineData("upstream [2001:db8::1]:443 timed out", "2001:db8::1")]
    [InlineData("full 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334")]
    [InlineData("embedded 1:2:3:4:5:6:1.2.3.4 ok", "1:2:3:4:5:6:1.2.3.4")]
    [InlineData("peer 2001:db8::1: closed", "2001:db8::1")]
    public void Ip_addresses_accepted_by_ip_address_parsing_are_confirmed(string text, string expected) =>
        Assert.Equal([(expected, 1.0)], Find(text, EntityTypes.IpAddress));

    [Theory]
    [InlineData("256.1.1.1")]
    [InlineData("oid 1.2.3.4.5")]
    [InlineData("01.02.03.04")]
    [InlineData("version 1.2.3.4")]
    [InlineData("build=10.0.15.0")]
    [InlineData("at 12:30:45")]
    [InlineData("mac 00:1A:2B:3C:4D:5E")]
    [InlineData("std::vector")]
    [InlineData("a :: b")]
    [InlineData("1:2:3")]
    public void Strings_that_only_look_like_ip_addresses_are_not_reported(string text) =>
        Assert.Empty(Find(text, EntityTypes.IpAddress));

    [Theory]
    [InlineData("see https://example.com/path?x=1.", "https://example.com/path?x=1")]
    [InlineData("(see https://example.com/x)", "https://example.com/x")]
    [InlineData("wiki https://en.example.org/wiki/A_(b) now", "https://en.example.org/wiki/A_(b)")]
    [InlineData("go to www.example.com/page, then", "www.example.com/page")]
    [InlineData("ftp://files.example.net/a.txt", "ftp://files.example.net/a.txt")]
    [InlineData("http://192.0.2.1:8080/status", "http://192.0.2.1:8080/status")]
    public void Urls_are_confirmed_without_trailing_punctuation(string text, string expected) =>
        Assert.Contains((expected, 1.0), Find(text, EntityTypes.Url));

    [Theory]
    [InlineData("https://localhost:8080/x")]
    [InlineData("http://-bad.com/")]
    [InlineData("https:// nothing")]
    [InlineData("http://example.c/")]
    public void Urls_without_a_valid_host_are_not_reported(string text) =>
        Assert.Empty(Find(text, EntityTypes.Url));

    [Theory]
    [InlineData("Patient born 03/04/1985.", "03/04/1985")]
    [InlineData("DOB: 1985-04-03", "1985-04-03")]
    [InlineData("Date of birth: 12 March 1985", "12 March 1985")]
    [InlineData("her birthday is March 12, 1985", "March 12, 1985")]
    [InlineData("D.O.B. 03.04.1985", "03.04.1985")]
    [InlineData("born on the 1st of May, 1990", "1st of May, 1990")]
    [InlineData("birth date 12/31/99", "12/31/99")]
    public void Dates_after_a_birth_context_word_are_dates_of_birth(string text, string expected) =>
        Assert.Equal([(expected, 0.95)], Find(text, EntityTypes.DateOfBirth));

    [Theory]
    [InlineData("Report generated 03/04/1985.")]
    [InlineData("born 31/02/1990")]
    [InlineData("born 13/13/1990")]
    [InlineData("born 03/04/2150")]
    [InlineData("born 03/04-1985")]
    [InlineData("dob\n03/04/1985")]
    [InlineData("born 1899-12-31")]
    public void Dates_without_context_or_that_are_not_real_birth_dates_are_not_reported(string text) =>
        Assert.Empty(Find(text, EntityTypes.DateOfBirth));

    [Fact]
    public void A_birth_context_word_marks_only_the_first_date_after_it()
    {
        const string text = "Patient born 03/04/1985, admitted 05/06/2020.";
        Assert.Equal([("03/04/1985", 0.95)], Find(text, EntityTypes.DateOfBirth));
    }

    [Fact]
    public void The_latest_birth_year_is_configurable()
    {
        var analyzer = new PiiAnalyzer(new PiiAnalyzerOptions { MaxBirthYear = 2000 });
        Assert.Empty(Find("born 03/04/2005", EntityTypes.DateOfBirth, analyzer));
        Assert.Single(Find("born 03/04/1995", EntityTypes.DateOfBirth, analyzer));
    }

    [Theory]
    [InlineData("Meeting with Mr Zebedee Quist moved.", "Zebedee Quist", 1.0)]
    [InlineData("Dr. O'Brien reviewed the scan.", "O'Brien", 1.0)]
    [InlineData("Reviewed by Alice Smith today.", "Alice Smith", 0.85)]
    [InlineData("customer Alice Smith called", "Alice Smith", 1.0)]
    [InlineData("Alice Smith's account", "Alice Smith", 0.85)]
    [InlineData("approved by Priya Vantongeren", "Priya Vantongeren", 0.6)]
    [InlineData("name: Alice", "Alice", 0.7)]
    [InlineData("Mrs Anne-Marie Smith-Jones", "Anne-Marie Smith-Jones", 1.0)]
    public void Names_are_found_from_lists_titles_and_context(string text, string expected, double score) =>
        Assert.Equal([(expected, score)], Find(text, EntityTypes.Person));

    [Theory]
    [InlineData("INFO GET /api/v1 200")]
    [InlineData("The Quarterly Review Meeting Is On Monday")]
    [InlineData("Thanks Alice, see you")]
    [InlineData("user=alice.smith logged in")]
    [InlineData("iPhone AlicE")]
    public void Capitalised_words_that_are_not_names_or_lone_given_names_are_not_reported(string text) =>
        Assert.Empty(Find(text, EntityTypes.Person));

    [Fact]
    public void Name_lists_are_configurable()
    {
        var analyzer = new PiiAnalyzer(new PiiAnalyzerOptions { FirstNames = ["Zebedee"], LastNames = ["Quist"] });
        Assert.Equal([("Zebedee Quist", 0.85)], Find("Reviewed by Zebedee Quist", EntityTypes.Person, analyzer));
        Assert.Empty(Find("Reviewed by Alice Smith", EntityTypes.Person, analyzer));
    }
}
