using System.Security.Cryptography;
using System.Text;

namespace Warden.Server.Security;

/// <summary>The sealed format for encrypted blobs: "WDNE" ‖ format version (1) ‖ nonce (12) ‖ tag (16) ‖ ciphertext,
/// AES-256-GCM under a data key, with associated data that binds the blob to its identity (e.g. the artifact's SHA-256
/// and the data key id), so a blob moved to another record or a key swapped under it fails authentication.</summary>
public static class Envelope
{
    private static ReadOnlySpan<byte> Magic => "WDNE"u8;

    private const byte FormatVersion = 1;

    /// <summary>True when <paramref name="blob"/> starts with the envelope header.</summary>
    public static bool IsSealed(ReadOnlySpan<byte> blob) => blob.Length >= 33 && blob[..4].SequenceEqual(Magic) && blob[4] == FormatVersion;

    /// <summary>Encrypts with a fresh random nonce (each data key seals few blobs, so random 96-bit nonces never repeat in practice).</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, string associatedData)
    {
        var blob = new byte[SealedLength(plaintext.Length)];
        Seal(key, plaintext, associatedData, blob);
        return blob;
    }

    /// <summary>The length of the sealed form of <paramref name="plaintextLength"/> bytes.</summary>
    public static int SealedLength(int plaintextLength) => 33 + plaintextLength;

    /// <summary>Seals into <paramref name="destination"/> (exactly <see cref="SealedLength"/> bytes), for callers that reuse a buffer.</summary>
    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, string associatedData, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(destination.Length, SealedLength(plaintext.Length), nameof(destination));
        Magic.CopyTo(destination);
        destination[4] = FormatVersion;
        RandomNumberGenerator.Fill(destination.Slice(5, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(destination.Slice(5, 12), plaintext, destination[33..], destination.Slice(17, 16), Encoding.UTF8.GetBytes(associatedData));
    }

    /// <summary>Decrypts and authenticates; throws <see cref="AuthenticationTagMismatchException"/> when anything was altered.</summary>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> blob, string associatedData)
    {
        if (!IsSealed(blob))
        {
            throw new CryptographicException("not a Warden envelope (missing WDNE header)");
        }

        var plaintext = new byte[blob.Length - 33];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(blob.Slice(5, 12), blob[33..], blob.Slice(17, 16), plaintext, Encoding.UTF8.GetBytes(associatedData));
        return plaintext;
    }
}
