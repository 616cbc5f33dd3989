using System.Security.Cryptography;
using System.Text;

namespace Warden.Privacy.Tests;

/// <summary>Operators, per-entity choice, offsets of replacements, and the AES-GCM token format.</summary>
public sealed class AnonymizerTests
{
    private static readonly byte[] Key32 = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] OtherKey32 = Enumerable.Range(2, 32).Select(i => (byte)i).ToArray();

    private const string Text = "mail alice@example.com or call +44 20 7946 0958";

    private static AnonymizedText Run(PiiAnonymizer anonymizer, string text = Text) =>
        anonymizer.Anonymize(text, TestAnalyzer.Default.Analyze(text));

    [Fact]
    public void The_default_replaces_each_value_with_its_entity_type()
    {
        var result = Run(new PiiAnonymizer());
        Assert.Equal("mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>", result.Text);
        Assert.Equal(["replace", "replace"], result.Items.Select(i => i.Operator));
    }

    [Fact]
    public void Redact_removes_the_value_and_reports_an_empty_span()
    {
        var result = Run(new PiiAnonymizer(AnonymizerOperator.Redact));
        Assert.Equal("mail  or call ", result.Text);
        Assert.All(result.Items, i => Assert.Equal(i.Start, i.End));
    }

    [Fact]
    public void Replace_can_use_a_fixed_text()
    {
        Assert.Equal("mail [hidden] or call [hidden]", Run(new PiiAnonymizer(AnonymizerOperator.Replace("[hidden]"))).Text);
    }

    [Theory]
    [InlineData(4, '*', "4111 1111 1111 1111", "***************1111")]
    [InlineData(2, '#', "alice@example.com", "###############om")]
    [InlineData(0, 'x', "secret", "xxxxxx")]
    [InlineData(4, '*', "abc", "***")]
    [InlineData(4, '*', "abcd", "****")]
    public void Mask_keeps_the_last_characters_and_masks_short_values_entirely(int keepLast, char maskChar, string value, string expected) =>
        Assert.Equal(expected, AnonymizerOperator.Mask(keepLast, maskChar).Apply("X", value));

    [Fact]
    public void Mask_never_splits_a_surrogate_pair()
    {
        // "ab😀" is four code units; keeping 1 would cut the emoji in half, so the whole pair is masked.
        string masked = AnonymizerOperator.Mask(1).Apply("X", "ab😀");
        Assert.Equal("****", masked);
        Assert.Equal("**😀", AnonymizerOperator.Mask(2).Apply("X", "ab😀"));
    }

    [Fact]
    public void Mask_rejects_bad_settings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AnonymizerOperator.Mask(-1));
        Assert.Throws<ArgumentException>(() => AnonymizerOperator.Mask(4, '\uD83D'));
    }

    [Fact]
    public void Pseudonyms_are_stable_per_key_so_records_still_join()
    {
        var pseudonym = AnonymizerOperator.Pseudonymize(Key32);
        string first = pseudonym.Apply(EntityTypes.EmailAddress, "alice@example.com");
        string again = AnonymizerOperator.Pseudonymize(Key32).Apply(EntityTypes.EmailAddress, "alice@example.com");
        string other = pseudonym.Apply(EntityTypes.EmailAddress, "bob@example.com");
        string otherKey = AnonymizerOperator.Pseudonymize(OtherKey32).Apply(EntityTypes.EmailAddress, "alice@example.com");
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.NotEqual(first, otherKey);
        Assert.Matches("^<EMAIL_ADDRESS_[0-9a-f]{16}>$", first);
    }

    [Fact]
    public void A_pseudonym_is_the_hmac_sha256_of_the_utf8_value_truncated_to_the_configured_length()
    {
        string expected = Convert.ToHexStringLower(HMACSHA256.HashData(Key32, Encoding.UTF8.GetBytes("Zoë")))[..24];
        Assert.Equal($"<PERSON_{expected}>", AnonymizerOperator.Pseudonymize(Key32, 24).Apply(EntityTypes.Person, "Zoë"));
        Assert.Equal(64, AnonymizerOperator.Pseudonymize(Key32, 64).Apply("X", "v").Length - "<X_>".Length);
    }

    [Fact]
    public void Pseudonymize_rejects_short_keys_and_bad_lengths()
    {
        var error = Assert.Throws<ArgumentException>(() => AnonymizerOperator.Pseudonymize(new byte[15]));
        Assert.Contains("16 bytes", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => AnonymizerOperator.Pseudonymize(Key32, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => AnonymizerOperator.Pseudonymize(Key32, 65));
    }

    [Fact]
    public void Operators_are_chosen_per_entity_type_with_a_default()
    {
        var anonymizer = new PiiAnonymizer(
            AnonymizerOperator.Redact,
            new Dictionary<string, AnonymizerOperator> { [EntityTypes.PhoneNumber] = AnonymizerOperator.Mask(4) });
        var result = Run(anonymizer);
        Assert.Equal("mail  or call ************0958", result.Text);
        Assert.Equal(["redact", "mask"], result.Items.Select(i => i.Operator));
        Assert.Equal("mask", anonymizer.OperatorFor(EntityTypes.PhoneNumber).Name);
        Assert.Equal("redact", anonymizer.OperatorFor(EntityTypes.UsSsn).Name);
    }

    [Fact]
    public void Item_offsets_point_into_the_anonymized_text()
    {
        var result = Run(new PiiAnonymizer(AnonymizerOperator.Pseudonymize(Key32, 8)));
        Assert.Equal(2, result.Items.Count);
        foreach (var item in result.Items)
            Assert.Matches($"^<{item.EntityType}_[0-9a-f]{{8}}>$", result.Text[item.Start..item.End]);
    }

    [Fact]
    public void Text_without_detections_is_returned_unchanged()
    {
        var result = new PiiAnonymizer().Anonymize("nothing here", []);
        Assert.Equal("nothing here", result.Text);
        Assert.Empty(result.Items);
    }

    [Fact]
    public void Detections_outside_the_text_are_refused()
    {
        var bad = new PiiMatch("X", 5, 50, 1, "r", "e");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PiiAnonymizer().Anonymize("short text", [bad]));
        Assert.Contains("outside", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypted_values_decrypt_with_the_same_key()
    {
        var cipher = new PiiCipher(Key32);
        var result = Run(new PiiAnonymizer(AnonymizerOperator.Encrypt(Key32)));
        Assert.DoesNotContain("alice@example.com", result.Text, StringComparison.Ordinal);
        Assert.Matches("^mail <ENC:EMAIL_ADDRESS:[A-Za-z0-9_-]+> or call <ENC:PHONE_NUMBER:[A-Za-z0-9_-]+>$", result.Text);
        Assert.Equal(Text, cipher.DecryptAll(result.Text));
        var item = result.Items[0];
        Assert.Equal((EntityTypes.EmailAddress, "alice@example.com"), cipher.Open(result.Text[item.Start..item.End]));
    }

    [Fact]
    public void Each_encryption_uses_a_fresh_nonce()
    {
        var cipher = new PiiCipher(Key32);
        string a = cipher.Encrypt("X", "same value"), b = cipher.Encrypt("X", "same value");
        Assert.NotEqual(a, b);
        Assert.Equal("same value", cipher.Decrypt(a));
        Assert.Equal("same value", cipher.Decrypt(b));
    }

    [Fact]
    public void The_token_holds_nonce_tag_and_ciphertext()
    {
        string token = new PiiCipher(Key32).Encrypt("X", "héllo");
        byte[] data = Convert.FromBase64String(Base64(token["<ENC:X:".Length..^1]));
        Assert.Equal(12 + 16 + Encoding.UTF8.GetByteCount("héllo"), data.Length);
    }

    [Fact]
    public void Any_altered_character_fails_authentication_clearly()
    {
        var cipher = new PiiCipher(Key32);
        // 12 + 16 + 17 = 45 bytes, a multiple of three, so every base64url character carries six real bits.
        string token = cipher.Encrypt(EntityTypes.EmailAddress, "alice@example.com");
        int dataStart = token.LastIndexOf(':') + 1;
        Assert.Equal(60, token.Length - dataStart - 1);
        for (int i = dataStart; i < token.Length - 1; i++)
        {
            char replacement = token[i] == 'A' ? 'B' : 'A';
            string altered = token[..i] + replacement + token[(i + 1)..];
            var error = Assert.Throws<PiiTokenException>(() => cipher.Decrypt(altered));
            Assert.Matches("authentication|base64url|truncated", error.Message);
        }
    }

    [Fact]
    public void Changing_the_entity_type_or_the_key_fails_authentication()
    {
        string token = new PiiCipher(Key32).Encrypt(EntityTypes.EmailAddress, "alice@example.com");
        string relabelled = token.Replace("EMAIL_ADDRESS", "URL", StringComparison.Ordinal);
        var error = Assert.Throws<PiiTokenException>(() => new PiiCipher(Key32).Decrypt(relabelled));
        Assert.Contains("altered, or encrypted with another key", error.Message, StringComparison.Ordinal);
        Assert.Throws<PiiTokenException>(() => new PiiCipher(OtherKey32).Decrypt(token));
        Assert.Throws<PiiTokenException>(() => new PiiCipher(OtherKey32).DecryptAll("x " + token + " y"));
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("<ENC:>")]
    [InlineData("<ENC:lower:AAAA>")]
    [InlineData("<ENC:X:!!!!>")]
    [InlineData("<ENC:X:AAAA>")]
    public void Malformed_tokens_are_refused_with_a_reason(string token)
    {
        var error = Assert.Throws<PiiTokenException>(() => new PiiCipher(Key32).Decrypt(token));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void The_cipher_requires_a_32_byte_key_and_a_valid_entity_type()
    {
        var error = Assert.Throws<ArgumentException>(() => new PiiCipher(new byte[16]));
        Assert.Contains("32 bytes", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AnonymizerOperator.Encrypt(new byte[31]));
        Assert.Throws<ArgumentException>(() => new PiiCipher(Key32).Encrypt("bad type", "v"));
    }

    [Fact]
    public void Keys_are_copied_so_later_changes_by_the_caller_do_not_matter()
    {
        byte[] key = (byte[])Key32.Clone();
        var cipher = new PiiCipher(key);
        var pseudonym = AnonymizerOperator.Pseudonymize(key);
        string token = cipher.Encrypt("X", "v");
        string before = pseudonym.Apply("X", "v");
        Array.Clear(key);
        Assert.Equal("v", cipher.Decrypt(token));
        Assert.Equal(before, pseudonym.Apply("X", "v"));
        Assert.Equal("pseudonymize", pseudonym.ToString());
    }

    private static string Base64(string base64Url)
    {
        string s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }
}
