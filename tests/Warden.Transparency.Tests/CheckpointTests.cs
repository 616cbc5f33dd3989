using System.Security.Cryptography;
using System.Text;
using Warden.Transparency.Checkpoints;

namespace Warden.Transparency.Tests;

/// <summary>Checkpoints: the text format, ECDSA P-256 signatures, key ids and PEM, and rejection of every tampering.</summary>
public sealed class CheckpointTests
{
    private const string Origin = "warden.example/audit";
    private static readonly Sha256Hash Root = Sha256Hash.FromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    [Fact]
    public void Note_text_is_origin_size_and_base64_root_one_per_line()
    {
        var checkpoint = new Checkpoint(Origin, 120, Root);
        Assert.Equal("warden.example/audit\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", checkpoint.ToNoteText());
        Assert.Equal(checkpoint, Checkpoint.ParseNoteText(checkpoint.ToNoteText()));

        var extended = new Checkpoint(Origin, 0, Root, ["extension line"]);
        Assert.EndsWith("\nextension line\n", extended.ToNoteText(), StringComparison.Ordinal);
        Assert.Equal(extended, Checkpoint.ParseNoteText(extended.ToNoteText()));
    }

    [Fact]
    public void Signed_checkpoint_round_trips_and_verifies()
    {
        using var key = CheckpointSigningKey.Generate(Origin);
        var checkpoint = new Checkpoint(Origin, 120, Root);
        var note = key.Sign(checkpoint);

        var lines = note.Split('\n');
        Assert.Equal(["warden.example/audit", "120", Root.ToBase64(), "", lines[4], ""], lines);
        Assert.StartsWith("\u2014 warden.example/audit ", lines[4], StringComparison.Ordinal);

        var parsed = SignedNote.Parse(note);
        Assert.Equal(checkpoint, parsed.Checkpoint);
        Assert.Equal(note, parsed.ToNote());
        var signature = Assert.Single(parsed.Signatures);
        Assert.Equal(key.PublicKey.KeyId, signature.KeyId);

        var result = SignedNote.Verify(note, key.PublicKey, Origin);
        Assert.True(result.IsValid, result.Problem);
        Assert.Equal(checkpoint, result.Checkpoint);
    }

    [Fact]
    public void Key_id_is_the_truncated_sha256_of_the_subject_public_key_info()
    {
        using var key = CheckpointSigningKey.Generate(Origin);
        var spki = key.PublicKey.SubjectPublicKeyInfo.ToArray();
        var digest = SHA256.HashData(spki);
        Assert.Equal(Convert.ToHexStringLower(digest[..4]), key.PublicKey.KeyIdHex);

        var imported = CheckpointPublicKey.FromPem(Origin, key.PublicKey.ExportPem());
        Assert.Equal(key.PublicKey.KeyId, imported.KeyId);
        Assert.Equal(spki, imported.SubjectPublicKeyInfo.ToArray());
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", imported.ExportPem(), StringComparison.Ordinal);
    }

    /// <summary>A checkpoint signed by OpenSSL (`openssl dgst -sha256 -sign`, see Fixtures/make_openssl_checkpoint.sh)
    /// with the key id OpenSSL computed: Warden must agree with an independent implementation.</summary>
    [Fact]
    public void Verifies_a_checkpoint_signed_by_openssl_with_the_key_id_openssl_computed()
    {
        var expected = Fixtures.LoadJson("openssl-checkpoint.json");
        var key = CheckpointPublicKey.FromPem(expected.GetProperty("keyName").GetString()!, Fixtures.ReadText("openssl-test-key.pub.pem"));
        Assert.Equal(expected.GetProperty("keyIdHex").GetString(), key.KeyIdHex);

        var result = SignedNote.Verify(Fixtures.ReadText("openssl-checkpoint.txt"), key, "example.com/warden-test");
        Assert.True(result.IsValid, result.Problem);
        Assert.Equal(8, result.Checkpoint.TreeSize);
        Assert.Equal(Fixtures.RootsBySize[8], result.Checkpoint.RootHash);
    }

    [Fact]
    public void Tampered_size_is_rejected()
    {
        using var key = CheckpointSigningKey.Generate(Origin);
        var note = key.Sign(new Checkpoint(Origin, 120, Root));
        var tampered = note.Replace("\n120\n", "\n121\n", StringComparison.Ordinal);
        var result = SignedNote.Verify(tampered, key.PublicKey);
        Assert.False(result.IsValid);
        Assert.StartsWith("bad signature", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_root_is_rejected()
    {
        using var key = CheckpointSigningKey.Generate(Origin);
        var note = key.Sign(new Checkpoint(Origin, 120, Root));
        var otherRoot = Sha256Hash.Compute("other"u8);
        var tampered = note.Replace(Root.ToBase64(), otherRoot.ToBase64(), StringComparison.Ordinal);
        var result = SignedNote.Verify(tampered, key.PublicKey);
        Assert.False(result.IsValid);
        Assert.StartsWith("bad signature", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_bit_flip_in_the_signature_is_rejected()
    {
        using var key = CheckpointSigningKey.Generate(Origin);
        var note = key.Sign(new Checkpoint(Origin, 120, Root));
        var parsed = SignedNote.Parse(note);
        var signature = parsed.Signatures[0];
        for (var bit = 0; bit < signature.Signature.Length * 8; bit++)
        {
            var bytes = signature.Signature.ToArray();
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            var tampered = parsed with { Signatures = [signature with { Signature = bytes }] };
            var result = SignedNote.Verify(tampered.ToNote(), key.PublicKey);
            Assert.False(result.IsValid, $"bit {bit} of the signature flipped and it still verified");
        }
    }

    [Fact]
    public void Wrong_key_is_rejected_and_named()
    {
        using var signer = CheckpointSigningKey.Generate(Origin);
        using var other = CheckpointSigningKey.Generate(Origin);
        var note = signer.Sign(new Checkpoint(Origin, 120, Root));

        var result = SignedNote.Verify(note, other.PublicKey);
        Assert.False(result.IsValid);
        Assert.Contains("wrong key", result.Problem, StringComparison.Ordinal);
        Assert.Contains(signer.PublicKey.KeyIdHex, result.Problem, StringComparison.Ordinal);
        Assert.Contains(other.PublicKey.KeyIdHex, result.Problem, StringComparison.Ordinal);

        // Same name and key id, different key: the signature itself must fail.
        var forged = SignedNote.Parse(note);
        var impostor = forged with
        {
            Signatures = [new NoteSignature(Origin, other.PublicKey.KeyId, forged.Signatures[0].Signature)],
        };
        var impostorResult = SignedNote.Verify(impostor.ToNote(), other.PublicKey);
        Assert.False(impostorResult.IsValid);
        Assert.StartsWith("bad signature", impostorResult.Problem, StringComparison.Ordinal);

        // A key under another name is not consulted at all.
        using var renamed = CheckpointSigningKey.Generate("someone.else/log");
        var unknown = SignedNote.Verify(note, renamed.PublicKey);
        Assert.False(unknown.IsValid);
        Assert.Contains("no signature by the trusted key \"someone.else/log\"", unknown.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Signatures_by_unknown_keys_are_ignored_but_a_bad_one_by_the_trusted_key_rejects_the_note()
    {
        using var log = CheckpointSigningKey.Generate(Origin);
        using var witness = CheckpointSigningKey.Generate("witness.example/w1");
        var checkpoint = new Checkpoint(Origin, 7, Root);
        var text = Encoding.UTF8.GetBytes(checkpoint.ToNoteText());
        var parsed = SignedNote.Parse(log.Sign(checkpoint));
        var cosigned = parsed with
        {
            Signatures = [new NoteSignature(witness.Name, witness.PublicKey.KeyId, witness.SignData(text)), .. parsed.Signatures],
        };
        Assert.True(SignedNote.Verify(cosigned.ToNote(), log.PublicKey).IsValid);
        Assert.True(SignedNote.Verify(cosigned.ToNote(), witness.PublicKey).IsValid);

        var broken = cosigned with
        {
            Signatures = [.. cosigned.Signatures, new NoteSignature(Origin, log.PublicKey.KeyId, witness.SignData(text))],
        };
        Assert.False(SignedNote.Verify(broken.ToNote(), log.PublicKey).IsValid);
    }

    [Fact]
    public void Wrong_origin_is_rejected_when_one_is_expected()
    {
        using var key = CheckpointSigningKey.Generate(Origin);
        var note = key.Sign(new Checkpoint(Origin, 1, Root));
        var result = SignedNote.Verify(note, key.PublicKey, "warden.example/other");
        Assert.False(result.IsValid);
        Assert.Contains("origin \"warden.example/audit\", expected \"warden.example/other\"", result.Problem, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedNotes() => new()
    {
        { "warden.example/audit\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n— warden.example/audit AAAAAAA=\n", "no blank line" },
        { "warden.example/audit\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n", "no signature lines" },
        { "warden.example/audit\n0120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— warden.example/audit AAAAAAA=\n", "line 2 (tree size)" },
        { "warden.example/audit\n-1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— warden.example/audit AAAAAAA=\n", "line 2 (tree size)" },
        { "warden.example/audit\n99999999999999999999\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— warden.example/audit AAAAAAA=\n", "line 2 (tree size)" },
        { "warden.example/audit\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQ=\n\n— warden.example/audit AAAAAAA=\n", "line 3 (root hash)" },
        { "warden.example/audit\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n\n— warden.example/audit AAAAAAA=\n", "line 3 (root hash)" },
        { "warden.example/audit\n120\n\n— warden.example/audit AAAAAAA=\n", "at least 3 lines" },
        { "warden.example/audit\r\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— warden.example/audit AAAAAAA=\n", "carriage return" },
        { "warden.example/audit\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n- warden.example/audit AAAAAAA=\n", "line 5 is not a signature line" },
        { "warden.example/audit\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— warden.example/audit not*base64\n", "line 5 is not a signature line" },
        { "warden.example/audit\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— warden.example/audit AAAA\n", "line 5 is not a signature line" },
        { "warden.example/audit\n120\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— warden.example/audit AAAAAAA=", "does not end with a newline" },
        { "", "does not end with a newline" },
    };

    [Theory]
    [MemberData(nameof(MalformedNotes))]
    public void Malformed_notes_are_rejected_with_the_reason(string note, string expected)
    {
        using var key = CheckpointSigningKey.Generate(Origin);
        Assert.False(SignedNote.TryParse(note, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        var result = SignedNote.Verify(note, key.PublicKey);
        Assert.False(result.IsValid);
        Assert.StartsWith("malformed checkpoint: ", result.Problem, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => SignedNote.Parse(note));
    }

    [Fact]
    public void Keys_must_be_ecdsa_p256_and_pem_kinds_are_told_apart()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var error = Assert.Throws<FormatException>(() => CheckpointPublicKey.FromPem(Origin, p384.ExportSubjectPublicKeyInfoPem()));
        Assert.Contains("P-256", error.Message, StringComparison.Ordinal);

        using var rsa = RSA.Create(2048);
        Assert.Throws<FormatException>(() => CheckpointPublicKey.FromPem(Origin, rsa.ExportSubjectPublicKeyInfoPem()));

        using var key = CheckpointSigningKey.Generate(Origin);
        var privateError = Assert.Throws<FormatException>(() => CheckpointPublicKey.FromPem(Origin, key.ExportPrivateKeyPem()));
        Assert.Contains("private key", privateError.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => CheckpointPublicKey.FromPem(Origin, "not a pem"));
        Assert.Throws<FormatException>(() => CheckpointSigningKey.FromPem(Origin, key.PublicKey.ExportPem()));
        Assert.Throws<ArgumentException>(() => CheckpointSigningKey.Generate("has space"));
        Assert.Throws<ArgumentException>(() => CheckpointSigningKey.Generate("has+plus"));
        Assert.Throws<ArgumentException>(() => CheckpointSigningKey.Generate(""));
    }

    [Fact]
    public void Private_key_pem_round_trips_in_pkcs8_and_sec1_forms()
    {
        using var key = CheckpointSigningKey.Generate(Origin);
        using var reloaded = CheckpointSigningKey.FromPem(Origin, key.ExportPrivateKeyPem());
        Assert.Equal(key.PublicKey.KeyId, reloaded.PublicKey.KeyId);
        var note = reloaded.Sign(new Checkpoint(Origin, 3, Root));
        Assert.True(SignedNote.Verify(note, key.PublicKey).IsValid);

        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var sec1 = CheckpointSigningKey.FromPem(Origin, ecdsa.ExportECPrivateKeyPem());
        Assert.Equal(CheckpointPublicKey.ComputeKeyId(ecdsa.ExportSubjectPublicKeyInfo()), sec1.PublicKey.KeyId);
    }

    [Fact]
    public void Checkpoint_fields_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new Checkpoint("", 1, Root));
        Assert.Throws<ArgumentException>(() => new Checkpoint("a\nb", 1, Root));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Checkpoint(Origin, -1, Root));
        Assert.Throws<ArgumentException>(() => new Checkpoint(Origin, 1, Root, [""]));
        Assert.Throws<FormatException>(() => Sha256Hash.FromBase64("AAAA"));
        Assert.Throws<FormatException>(() => Sha256Hash.FromHex("abc"));
        Assert.Equal(Root, Sha256Hash.FromHex(Root.ToHex().ToUpperInvariant()));
        Assert.Equal(Root, Sha256Hash.FromBase64(Root.ToBase64()));
    }
}
