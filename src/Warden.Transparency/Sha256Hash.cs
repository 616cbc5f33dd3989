using System.Buffers;
using System.Security.Cryptography;

namespace Warden.Transparency;

/// <summary>An immutable 32-byte SHA-256 value: a leaf hash, an interior node hash, a tree root or a proof element.
/// Equality compares the bytes in constant time. <c>default(Sha256Hash)</c> is 32 zero bytes.</summary>
public readonly struct Sha256Hash : IEquatable<Sha256Hash>
{
    /// <summary>The length of a SHA-256 value in bytes.</summary>
    public const int Size = 32;

    private static readonly byte[] Zero = new byte[Size];
    private readonly byte[]? _bytes;

    /// <summary>Copies exactly <see cref="Size"/> bytes.</summary>
    /// <exception cref="ArgumentException">The span is not 32 bytes long.</exception>
    public Sha256Hash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A SHA-256 hash is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>Takes ownership of a 32-byte array without copying (internal: callers never mutate it afterwards).</summary>
    private Sha256Hash(byte[] owned, bool _) => _bytes = owned;

    /// <summary>The 32 bytes.</summary>
    public ReadOnlySpan<byte> Span => _bytes ?? Zero;

    /// <summary>SHA-256 of <paramref name="data"/> (no domain separation; see <see cref="Merkle.Rfc6962"/> for tree hashes).</summary>
    public static Sha256Hash Compute(ReadOnlySpan<byte> data)
    {
        var bytes = new byte[Size];
        SHA256.HashData(data, bytes);
        return new Sha256Hash(bytes, true);
    }

    /// <summary>Parses 64 hexadecimal digits (either case).</summary>
    /// <exception cref="FormatException">Not 64 hexadecimal digits.</exception>
    public static Sha256Hash FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return TryFromHex(hex, out var hash)
            ? hash
            : throw new FormatException($"Expected 64 hexadecimal digits (a SHA-256 hash), got {Describe(hex)}.");
    }

    /// <summary>Parses 64 hexadecimal digits (either case); false when the text is anything else.</summary>
    public static bool TryFromHex(string? hex, out Sha256Hash hash)
    {
        hash = default;
        if (hex is null || hex.Length != Size * 2)
        {
            return false;
        }

        var bytes = new byte[Size];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != OperationStatus.Done || written != Size)
        {
            return false;
        }

        hash = new Sha256Hash(bytes, true);
        return true;
    }

    /// <summary>Parses standard base64 (RFC 4648 §4, padded) of exactly 32 bytes.</summary>
    /// <exception cref="FormatException">Not the padded base64 form of 32 bytes.</exception>
    public static Sha256Hash FromBase64(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        return TryFromBase64(base64, out var hash)
            ? hash
            : throw new FormatException($"Expected the base64 form of 32 bytes (44 characters), got {Describe(base64)}.");
    }

    /// <summary>Parses standard padded base64 of exactly 32 bytes; false otherwise (including non-canonical forms).</summary>
    public static bool TryFromBase64(string? base64, out Sha256Hash hash)
    {
        hash = default;
        if (base64 is null || base64.Length != 44)
        {
            return false;
        }

        var bytes = new byte[33];
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != Size)
        {
            return false;
        }

        var candidate = new Sha256Hash(bytes.AsSpan(0, Size));
        // Reject non-canonical encodings (stray bits in the last character), so one hash has one spelling.
        if (!string.Equals(candidate.ToBase64(), base64, StringComparison.Ordinal))
        {
            return false;
        }

        hash = candidate;
        return true;
    }

    /// <summary>Wraps an array this library has just filled and will not touch again.</summary>
    internal static Sha256Hash Own(byte[] bytes) => new(bytes, true);

    /// <summary>Lowercase hexadecimal (64 characters).</summary>
    public string ToHex() => Convert.ToHexStringLower(Span);

    /// <summary>Standard padded base64 (44 characters), as used in checkpoints.</summary>
    public string ToBase64() => Convert.ToBase64String(Span);

    /// <summary>A copy of the 32 bytes.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Copies the 32 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination) => Span.CopyTo(destination);

    /// <summary>True when the bytes equal <paramref name="other"/> (constant time).</summary>
    public bool Equals(ReadOnlySpan<byte> other) => CryptographicOperations.FixedTimeEquals(Span, other);

    /// <inheritdoc />
    public bool Equals(Sha256Hash other) => CryptographicOperations.FixedTimeEquals(Span, other.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Sha256Hash other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(Span[..4]);

    /// <summary>Lowercase hexadecimal.</summary>
    public override string ToString() => ToHex();

    /// <summary>Byte-wise equality.</summary>
    public static bool operator ==(Sha256Hash left, Sha256Hash right) => left.Equals(right);

    /// <summary>Byte-wise inequality.</summary>
    public static bool operator !=(Sha256Hash left, Sha256Hash right) => !left.Equals(right);

    private static string Describe(string text) =>
        text.Length <= 80 ? $"\"{text}\" ({text.Length} characters)" : $"{text.Length} characters";
}
