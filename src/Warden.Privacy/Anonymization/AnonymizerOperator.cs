using System.Text;

namespace Warden.Privacy;

/// <summary>
/// What to put in place of a detected value. Create operators with the static members; keys are copied in and never
/// appear in <see cref="object.ToString"/> or in results.
/// </summary>
public abstract class AnonymizerOperator
{
    private protected AnonymizerOperator()
    {
    }

    /// <summary>The operator's name as reported in <see cref="AnonymizedItem.Operator"/> ("replace", "mask", …).</summary>
    public abstract string Name { get; }

    /// <summary>Removes the value: nothing is written in its place.</summary>
    public static AnonymizerOperator Redact { get; } = new RedactOperator();

    /// <summary>Replaces the value with <c>&lt;ENTITY_TYPE&gt;</c> (the default operator).</summary>
    public static AnonymizerOperator ReplaceWithEntityType { get; } = new ReplaceOperator(null);

    /// <summary>Replaces the value with <paramref name="replacement"/>, or <c>&lt;ENTITY_TYPE&gt;</c> when it is null.</summary>
    public static AnonymizerOperator Replace(string? replacement = null) =>
        replacement is null ? ReplaceWithEntityType : new ReplaceOperator(replacement);

    /// <summary>
    /// Replaces every UTF-16 code unit but the last <paramref name="keepLast"/> with <paramref name="maskChar"/>
    /// (a surrogate pair is kept or masked whole). A value no longer than <paramref name="keepLast"/> is masked
    /// entirely, so short values are never shown in full.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepLast"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="maskChar"/> is a surrogate.</exception>
    public static AnonymizerOperator Mask(int keepLast = 4, char maskChar = '*') => new MaskOperator(keepLast, maskChar);

    /// <summary>
    /// Replaces the value with <c>&lt;ENTITY_TYPE_hex&gt;</c>, where hex is the first <paramref name="length"/> hex
    /// digits of HMAC-SHA256(<paramref name="key"/>, UTF-8 value). The same value and key always give the same
    /// pseudonym, so records still join; without the key the value cannot be recovered or confirmed by guessing.
    /// </summary>
    /// <exception cref="ArgumentException">The key is shorter than 16 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is outside 8 to 64.</exception>
    public static AnonymizerOperator Pseudonymize(ReadOnlySpan<byte> key, int length = 16) => new PseudonymizeOperator(key, length);

    /// <summary>
    /// Replaces the value with an AES-256-GCM token (see <see cref="PiiCipher"/>) that <see cref="PiiCipher.Decrypt"/>
    /// or <see cref="PiiCipher.DecryptAll"/> turns back into the value with the same key.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public static AnonymizerOperator Encrypt(ReadOnlySpan<byte> key) => new EncryptOperator(new PiiCipher(key));

    /// <summary>Applies the operator to one value, as the anonymizer would.</summary>
    public string Apply(string entityType, ReadOnlySpan<char> value)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        return ApplyCore(entityType, value);
    }

    private protected virtual string ApplyCore(string entityType, ReadOnlySpan<char> value)
    {
        var output = new StringBuilder(value.Length + entityType.Length + 2);
        Write(output, entityType, value);
        return output.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    internal abstract void Write(StringBuilder output, string entityType, ReadOnlySpan<char> value);
}

internal sealed class RedactOperator : AnonymizerOperator
{
    public override string Name => "redact";

    internal override void Write(StringBuilder output, string entityType, ReadOnlySpan<char> value)
    {
    }
}

internal sealed class ReplaceOperator(string? replacement) : AnonymizerOperator
{
    public override string Name => "replace";

    internal override void Write(StringBuilder output, string entityType, ReadOnlySpan<char> value)
    {
        if (replacement is null)
            output.Append('<').Append(entityType).Append('>');
        else
            output.Append(replacement);
    }
}

internal sealed class MaskOperator : AnonymizerOperator
{
    private readonly int _keepLast;
    private readonly char _maskChar;

    public MaskOperator(int keepLast, char maskChar)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepLast);
        if (char.IsSurrogate(maskChar))
            throw new ArgumentException("The mask character cannot be half of a surrogate pair.", nameof(maskChar));
        _keepLast = keepLast;
        _maskChar = maskChar;
    }

    public override string Name => "mask";

    internal override void Write(StringBuilder output, string entityType, ReadOnlySpan<char> value)
    {
        int masked = value.Length <= _keepLast ? value.Length : value.Length - _keepLast;
        // Never split a surrogate pair: mask its low half too.
        if (masked < value.Length && char.IsLowSurrogate(value[masked]))
            masked++;
        output.Append(_maskChar, masked).Append(value[masked..]);
    }
}

internal sealed class PseudonymizeOperator : AnonymizerOperator
{
    internal const int MinKeyBytes = 16;
    private readonly byte[] _key;
    private readonly int _length;

    public PseudonymizeOperator(ReadOnlySpan<byte> key, int length)
    {
        if (key.Length < MinKeyBytes)
            throw new ArgumentException($"The pseudonym key must be at least {MinKeyBytes} bytes; it has {key.Length}.", nameof(key));
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 64);
        _key = key.ToArray();
        _length = length;
    }

    public override string Name => "pseudonymize";

    // One keyed HMAC context per thread, reset after each value: the one-shot HMACSHA256.HashData looks the algorithm up
    // and builds a context on every call, which dominated the cost of pseudonymising a row of 20 fields.
    [ThreadStatic]
    private static (PseudonymizeOperator Owner, System.Security.Cryptography.IncrementalHash Hmac)? t_context;

    private void Mac(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        var context = t_context;
        if (context is not { } c || !ReferenceEquals(c.Owner, this))
        {
            context?.Hmac.Dispose();
            c = (this, System.Security.Cryptography.IncrementalHash.CreateHMAC(System.Security.Cryptography.HashAlgorithmName.SHA256, _key));
            t_context = c;
        }

        c.Hmac.AppendData(data);
        c.Hmac.GetHashAndReset(mac);
    }

    internal override void Write(StringBuilder output, string entityType, ReadOnlySpan<char> value)
    {
        Span<char> hex = stackalloc char[64];
        Hex(value, hex);
        output.Append('<').Append(entityType).Append('_').Append(hex[.._length]).Append('>');
    }

    // The same text as Write, built in one string (no StringBuilder): this runs for every personal field of every stored prediction.
    private protected override string ApplyCore(string entityType, ReadOnlySpan<char> value)
    {
        Span<char> hex = stackalloc char[64];
        Hex(value, hex);
        var length = entityType.Length + _length + 3;
        Span<char> text = length <= 256 ? stackalloc char[length] : new char[length];
        text[0] = '<';
        entityType.CopyTo(text[1..]);
        text[entityType.Length + 1] = '_';
        hex[.._length].CopyTo(text[(entityType.Length + 2)..]);
        text[^1] = '>';
        return new string(text);
    }

    private void Hex(ReadOnlySpan<char> value, Span<char> hex)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        byte[]? rented = null;
        Span<byte> bytes = byteCount <= 512 ? stackalloc byte[byteCount] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            int written = Encoding.UTF8.GetBytes(value, bytes);
            Span<byte> mac = stackalloc byte[32];
            Mac(bytes[..written], mac);
            Convert.TryToHexStringLower(mac, hex, out _);
        }
        finally
        {
            if (rented is not null)
                System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }
}

internal sealed class EncryptOperator(PiiCipher cipher) : AnonymizerOperator
{
    public override string Name => "encrypt";

    internal override void Write(StringBuilder output, string entityType, ReadOnlySpan<char> value) =>
        output.Append(cipher.Encrypt(entityType, value));
}
