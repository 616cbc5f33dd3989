using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Warden.Transparency.Checkpoints;

/// <summary>One signature line of a signed note: <c>— &lt;key name&gt; base64(key id ‖ signature)</c>.</summary>
/// <param name="KeyName">The signer's key name.</param>
/// <param name="KeyId">The 32-bit key id (the first four decoded bytes, big-endian).</param>
/// <param name="Signature">The signature bytes after the key id (ASN.1 DER ECDSA for Warden keys).</param>
public sealed record NoteSignature(string KeyName, uint KeyId, ReadOnlyMemory<byte> Signature)
{
    /// <summary>The key id as 8 lowercase hexadecimal digits.</summary>
    public string KeyIdHex => KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The line as it appears in the note, without its newline.</summary>
    public string ToLine()
    {
        var bytes = new byte[4 + Signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, KeyId);
        Signature.Span.CopyTo(bytes.AsSpan(4));
        return $"{SignedNote.Dash} {KeyName} {Convert.ToBase64String(bytes)}";
    }

    /// <inheritdoc />
    public bool Equals(NoteSignature? other) =>
        other is not null && string.Equals(KeyName, other.KeyName, StringComparison.Ordinal) && KeyId == other.KeyId
        && Signature.Span.SequenceEqual(other.Signature.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(KeyName, KeyId);
}

/// <summary>A parsed (not yet verified) signed checkpoint.</summary>
/// <param name="Checkpoint">The checkpoint the note text describes.</param>
/// <param name="Text">The signed note text exactly as it appeared (it ends with a newline).</param>
/// <param name="Signatures">The signature lines, in order.</param>
public sealed record SignedCheckpoint(Checkpoint Checkpoint, string Text, IReadOnlyList<NoteSignature> Signatures)
{
    /// <summary>The complete note: text, blank line, signature lines.</summary>
    public string ToNote()
    {
        var note = new StringBuilder(Text).Append('\n');
        foreach (var signature in Signatures)
        {
            note.Append(signature.ToLine()).Append('\n');
        }

        return note.ToString();
    }

    /// <inheritdoc />
    public bool Equals(SignedCheckpoint? other) =>
        other is not null && Checkpoint.Equals(other.Checkpoint) && string.Equals(Text, other.Text, StringComparison.Ordinal)
        && Signatures.SequenceEqual(other.Signatures);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Checkpoint, Text);
}

/// <summary>The outcome of verifying a signed checkpoint: the checkpoint when valid, else the first problem.</summary>
/// <param name="Checkpoint">The verified checkpoint (null when invalid).</param>
/// <param name="Problem">What was wrong (null when valid).</param>
public sealed record CheckpointVerification(Checkpoint? Checkpoint, string? Problem)
{
    /// <summary>True when the note parsed and its signature by the trusted key verified.</summary>
    [MemberNotNullWhen(true, nameof(Checkpoint))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool IsValid => Checkpoint is not null && Problem is null;

    /// <summary>"valid" or the problem.</summary>
    public override string ToString() => IsValid ? $"valid: {Checkpoint.Origin} @ {Checkpoint.TreeSize}" : Problem;
}

/// <summary>The C2SP signed-note envelope around checkpoints: the note text, a blank line, then signature lines
/// <c>— name base64(key id ‖ signature)</c>. Warden signs with ECDSA P-256 over SHA-256 of the UTF-8 note text
/// (signature type 0x02 in the C2SP registry), DER-encoded.</summary>
public static class SignedNote
{
    /// <summary>The em dash (U+2014) that starts every signature line.</summary>
    public const char Dash = '\u2014';

    /// <summary>Notes longer than this many characters are refused before parsing.</summary>
    public const int MaxNoteLength = 1 << 20;

    /// <summary>Notes with more signature lines than this are refused (C2SP asks verifiers to accept at least 16).</summary>
    public const int MaxSignatures = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Signs a checkpoint and returns the complete note.</summary>
    public static string Sign(Checkpoint checkpoint, CheckpointSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(key);
        var text = checkpoint.ToNoteText();
        var signature = key.SignData(Encoding.UTF8.GetBytes(text));
        return new SignedCheckpoint(checkpoint, text, [new NoteSignature(key.Name, key.PublicKey.KeyId, signature)]).ToNote();
    }

    /// <summary>Parses a signed checkpoint without verifying it.</summary>
    /// <exception cref="FormatException">The note is malformed; the message names the line.</exception>
    public static SignedCheckpoint Parse(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        return TryParse(note, out var signed, out var problem) ? signed : throw new FormatException(problem);
    }

    /// <summary>Parses a signed checkpoint without verifying it; false with the reason when malformed.</summary>
    public static bool TryParse(string note, [NotNullWhen(true)] out SignedCheckpoint? signed, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(note);
        signed = null;
        problem = Envelope(note, out var text, out var signatureBlock);
        if (problem is not null)
        {
            return false;
        }

        if (!Checkpoint.TryParseNoteText(text, out var checkpoint, out var textProblem))
        {
            problem = textProblem;
            return false;
        }

        var lineNumber = text.Count(c => c == '\n') + 1; // the blank separator line
        var signatures = new List<NoteSignature>();
        foreach (var line in signatureBlock[..^1].Split('\n'))
        {
            lineNumber++;
            if (signatures.Count == MaxSignatures)
            {
                problem = $"the note has more than {MaxSignatures} signature lines";
                return false;
            }

            if (ParseSignatureLine(line) is not { } signature)
            {
                problem = $"line {lineNumber} is not a signature line \"— <key name> <base64 of key id and signature>\": \"{Checkpoint.Clip(line)}\"";
                return false;
            }

            signatures.Add(signature);
        }

        signed = new SignedCheckpoint(checkpoint, text, signatures);
        return true;
    }

    /// <summary>Parses the note and verifies its signature by <paramref name="key"/>. Signatures by other keys are
    /// ignored, as the signed-note specification requires; a failing signature by the trusted key rejects the note.
    /// When <paramref name="expectedOrigin"/> is given, the checkpoint must be for that log.</summary>
    public static CheckpointVerification Verify(string note, CheckpointPublicKey key, string? expectedOrigin = null)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(key);
        if (!TryParse(note, out var signed, out var problem))
        {
            return new CheckpointVerification(null, $"malformed checkpoint: {problem}");
        }

        return Verify(signed, key, expectedOrigin);
    }

    /// <summary>Verifies an already parsed note (see <see cref="Verify(string, CheckpointPublicKey, string?)"/>).</summary>
    public static CheckpointVerification Verify(SignedCheckpoint signed, CheckpointPublicKey key, string? expectedOrigin = null)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(key);
        var byName = signed.Signatures.Where(s => string.Equals(s.KeyName, key.Name, StringComparison.Ordinal)).ToList();
        if (byName.Count == 0)
        {
            var present = string.Join(", ", signed.Signatures.Select(s => $"\"{s.KeyName}\" (key id {s.KeyIdHex})"));
            return new CheckpointVerification(null,
                $"the checkpoint carries no signature by the trusted key \"{key.Name}\"; it is signed by {present}");
        }

        var matching = byName.Where(s => s.KeyId == key.KeyId).ToList();
        if (matching.Count == 0)
        {
            var ids = string.Join(", ", byName.Select(s => s.KeyIdHex));
            return new CheckpointVerification(null,
                $"wrong key: the checkpoint is signed by \"{key.Name}\" with key id {ids}, but the trusted key has id {key.KeyIdHex}");
        }

        var message = Encoding.UTF8.GetBytes(signed.Text);
        foreach (var signature in matching)
        {
            if (!key.VerifySignature(message, signature.Signature.Span))
            {
                return new CheckpointVerification(null,
                    $"bad signature: the signature by {key} does not verify, so the checkpoint text (origin, size, root) " +
                    "or the signature was altered after signing");
            }
        }

        if (expectedOrigin is not null && !string.Equals(signed.Checkpoint.Origin, expectedOrigin, StringComparison.Ordinal))
        {
            return new CheckpointVerification(null,
                $"the checkpoint is for origin \"{signed.Checkpoint.Origin}\", expected \"{expectedOrigin}\"");
        }

        return new CheckpointVerification(signed.Checkpoint, null);
    }

    /// <summary>Splits a note into its text and signature block, or says why it cannot.</summary>
    private static string? Envelope(string note, out string text, out string signatureBlock)
    {
        text = signatureBlock = "";
        if (note.Length > MaxNoteLength)
        {
            return $"the note is {note.Length} characters long; the limit is {MaxNoteLength}";
        }

        try
        {
            _ = StrictUtf8.GetByteCount(note);
        }
        catch (EncoderFallbackException)
        {
            return "the note is not valid Unicode text (it cannot be encoded as UTF-8)";
        }

        for (var i = 0; i < note.Length; i++)
        {
            var c = note[i];
            if ((c < 0x20 && c != '\n') || c == 0x7f)
            {
                var line = note.AsSpan(0, i).Count('\n') + 1;
                return c == '\r'
                    ? $"line {line} ends with a carriage return: notes use \\n line endings only"
                    : $"line {line} contains the control character U+{(int)c:X4}";
            }
        }

        if (!note.EndsWith('\n'))
        {
            return "the note does not end with a newline";
        }

        var separator = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (separator < 0)
        {
            return "the note has no blank line between its text and its signatures";
        }

        text = note[..(separator + 1)];
        signatureBlock = note[(separator + 2)..];
        return signatureBlock.Length == 0 ? "the note has no signature lines after the blank line" : null;
    }

    private static NoteSignature? ParseSignatureLine(string line)
    {
        if (line.Length < 3 || line[0] != Dash || line[1] != ' ')
        {
            return null;
        }

        var rest = line[2..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return null;
        }

        var name = rest[..space];
        var encoded = rest[(space + 1)..];
        if (CheckpointPublicKey.NameProblem(name) is not null || encoded.Length == 0)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            return null;
        }

        if (bytes.Length < 5 || !string.Equals(Convert.ToBase64String(bytes), encoded, StringComparison.Ordinal))
        {
            return null;
        }

        return new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes.AsMemory(4));
    }
}
