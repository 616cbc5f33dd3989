using System.Security.Cryptography;
using Warden.Server.Security;

namespace Warden.Server.Registry;

/// <summary>Content-addressed storage for model artifacts: an artifact's name is the SHA-256 of its bytes.
/// The embedded implementation is a folder; an object store can replace it behind this interface.</summary>
public interface IArtifactStore
{
    /// <summary>Stores <paramref name="content"/> (idempotent: storing the same bytes twice keeps one copy).</summary>
    Task<StoredArtifact> PutAsync(byte[] content, CancellationToken cancellationToken = default);

    /// <summary>Reads an artifact back; null when it is not there.</summary>
    Task<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken = default);
}

/// <summary>The result of a put.</summary>
/// <param name="Sha256">Lowercase hex digest: the artifact's address.</param>
/// <param name="Bytes">Size.</param>
/// <param name="AlreadyStored">True when identical bytes were stored before.</param>
public sealed record StoredArtifact(string Sha256, long Bytes, bool AlreadyStored);

/// <summary>Artifacts as files under DATA/artifacts/ab/cd/abcd…, written to a temporary name and moved into place so a
/// crash never leaves a half-written artifact under its final name. With a <see cref="DataKeyStore"/> (the server's
/// default) each artifact is sealed with its own data key (envelope encryption, AES-256-GCM, associated data binding
/// the artifact's SHA-256 and key id); every read is authenticated, and a plaintext read is checked against its address.</summary>
public sealed class LocalArtifactStore(string root, DataKeyStore? keys = null) : IArtifactStore
{
    /// <inheritdoc />
    public async Task<StoredArtifact> PutAsync(byte[] content, CancellationToken cancellationToken = default)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var path = PathOf(sha);
        if (File.Exists(path))
        {
            return new StoredArtifact(sha, content.LongLength, true);
        }

        var bytes = content;
        if (keys is not null)
        {
            var keyId = KeyId(sha);
            var key = await keys.GetAsync(keyId, "artifact", cancellationToken);
            bytes = Envelope.Seal(key!, content, AssociatedData(sha, keyId));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.WriteThrough))
        {
            await file.WriteAsync(bytes, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
        return new StoredArtifact(sha, content.LongLength, false);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken = default)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            return null; // never let a caller-supplied name become a path
        }

        var path = PathOf(sha256);
        if (!File.Exists(path))
        {
            return null;
        }

        var stored = await File.ReadAllBytesAsync(path, cancellationToken);
        byte[] content;
        if (Envelope.IsSealed(stored))
        {
            if (keys is null)
            {
                throw new ArtifactIntegrityException(sha256, "the artifact is encrypted but no key store is configured");
            }

            var keyId = KeyId(sha256);
            var key = await keys.GetAsync(keyId, null, cancellationToken)
                      ?? throw new ArtifactIntegrityException(sha256, "its data key is missing");
            try
            {
                content = Envelope.Open(key, stored, AssociatedData(sha256, keyId));
            }
            catch (CryptographicException e)
            {
                throw new ArtifactIntegrityException(sha256, $"authentication failed ({e.Message}): the file was altered or moved", e);
            }
        }
        else
        {
            content = stored;
        }

        if (!Convert.ToHexStringLower(SHA256.HashData(content)).Equals(sha256, StringComparison.Ordinal))
        {
            throw new ArtifactIntegrityException(sha256, "its content no longer matches its SHA-256 address");
        }

        return content;
    }

    private static string KeyId(string sha) => "artifact:" + sha;

    private static string AssociatedData(string sha, string keyId) => $"warden-artifact|sha256:{sha}|key:{keyId}";

    private string PathOf(string sha) => Path.Combine(root, sha[..2], sha[2..4], sha);
}

/// <summary>A stored artifact failed its integrity check and is refused.</summary>
public sealed class ArtifactIntegrityException(string sha256, string reason, Exception? inner = null)
    : Exception($"artifact {sha256[..Math.Min(12, sha256.Length)]}… failed its integrity check: {reason}", inner);
