using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Warden.Privacy.Recognition;

namespace Warden.Privacy;

/// <summary>
/// Reversible protection of detected values with AES-256-GCM and a caller-supplied 32-byte key.
/// A token reads <c>&lt;ENC:ENTITY_TYPE:data&gt;</c>, where data is the base64url (no padding) of a fresh random
/// 96-bit nonce, the 128-bit authentication tag and the ciphertext, in that order. The entity type is bound to the
/// ciphertext as associated data, so changing any character of a token, or decrypting with another key, fails.
/// </summary>
public sealed class PiiCipher
{
    /// <summary>The key size in bytes (AES-256).</summary>
    public const int KeySize = 32;

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const string Prefix = "<ENC:";
    private readonly byte[] _key;

    /// <summary>Creates a cipher with a copy of <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public PiiCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
            throw new ArgumentException($"The encryption key must be {KeySize} bytes (AES-256); it has {key.Length}.", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>Encrypts <paramref name="value"/> into a token labelled with <paramref name="entityType"/>.</summary>
    /// <exception cref="ArgumentException">The entity type is not upper-case letters, digits and underscores.</exception>
    public string Encrypt(string entityType, ReadOnlySpan<char> value)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        if (!CustomRecognizer.IsEntityType(entityType))
            throw new ArgumentException($"Entity type '{entityType}' must be upper-case letters, digits and underscores.", nameof(entityType));
        byte[] plaintext = Encoding.UTF8.GetBytes(value.ToArray());
        var sealedData = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedData.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_key, TagSize))
            aes.Encrypt(nonce, plaintext, sealedData.AsSpan(NonceSize + TagSize), sealedData.AsSpan(NonceSize, TagSize), AssociatedData(entityType));
        CryptographicOperations.ZeroMemory(plaintext);
        return Prefix + entityType + ":" + Base64Url.EncodeToString(sealedData) + ">";
    }

    /// <summary>Decrypts one token made by <see cref="Encrypt"/> with the same key.</summary>
    /// <exception cref="PiiTokenException">The token is malformed, was altered, or was made with another key.</exception>
    public string Decrypt(string token) => Open(token).Value;

    /// <summary>Decrypts one token and also returns the entity type it carries.</summary>
    /// <exception cref="PiiTokenException">The token is malformed, was altered, or was made with another key.</exception>
    public (string EntityType, string Value) Open(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || !token.EndsWith('>'))
            throw new PiiTokenException("Not an encrypted PII token: expected <ENC:ENTITY_TYPE:data>.");
        var body = token.AsSpan(Prefix.Length, token.Length - Prefix.Length - 1);
        int colon = body.IndexOf(':');
        if (colon <= 0)
            throw new PiiTokenException("Not an encrypted PII token: the entity type is missing.");
        string entityType = body[..colon].ToString();
        if (!CustomRecognizer.IsEntityType(entityType))
            throw new PiiTokenException($"Not an encrypted PII token: '{entityType}' is not an entity type.");
        byte[] sealedData;
        try
        {
            sealedData = Base64Url.DecodeFromChars(body[(colon + 1)..]);
        }
        catch (FormatException e)
        {
            throw new PiiTokenException("The token's data is not base64url.", e);
        }

        if (sealedData.Length < NonceSize + TagSize)
            throw new PiiTokenException("The token's data is shorter than a nonce and a tag: it was truncated.");
        var plaintext = new byte[sealedData.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(
                sealedData.AsSpan(0, NonceSize),
                sealedData.AsSpan(NonceSize + TagSize),
                sealedData.AsSpan(NonceSize, TagSize),
                plaintext,
                AssociatedData(entityType));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new PiiTokenException("The token failed authentication: it was altered, or encrypted with another key.", e);
        }

        return (entityType, Encoding.UTF8.GetString(plaintext));
    }

    /// <summary>Replaces every token in <paramref name="text"/> with the value it encrypts.</summary>
    /// <exception cref="PiiTokenException">A token was altered or made with another key.</exception>
    public string DecryptAll(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Patterns.EncryptedToken().Replace(text, match => Decrypt(match.Value));
    }

    private static byte[] AssociatedData(string entityType) => Encoding.UTF8.GetBytes("warden-pii-v1|" + entityType);
}

/// <summary>An encrypted token could not be decrypted: it is malformed, was altered, or was made with another key.</summary>
public sealed class PiiTokenException : Exception
{
    /// <summary>Creates the exception with a message that says what was wrong.</summary>
    public PiiTokenException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
