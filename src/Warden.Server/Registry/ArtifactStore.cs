using System.Security.Cryptography;

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

/// <summary>Artifacts as files under DATA/artifacts/ab/cd/abcd…, written to a temporary name and moved into place
/// so a crash never leaves a half-written artifact under its final name.</summary>
public sealed class LocalArtifactStore(string root) : IArtifactStore
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

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.WriteThrough))
        {
            await file.WriteAsync(content, cancellationToken);
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
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : null;
    }

    private string PathOf(string sha) => Path.Combine(root, sha[..2], sha[2..4], sha);
}
