using System.Globalization;
using System.Security.Cryptography;

namespace Warden.Server.Security;

/// <summary>A data key wrapped (encrypted) by a key-encryption key: AES-256-GCM, the KEK version in the clear.</summary>
/// <param name="KekVersion">Which KEK wrapped it.</param>
/// <param name="Blob">nonce (12) ‖ tag (16) ‖ ciphertext (32), base64.</param>
public sealed record WrappedKey(int KekVersion, string Blob);

/// <summary>Holds key-encryption keys and wraps/unwraps data keys. The embedded implementation keeps KEKs in files
/// (or one in an environment variable); a KMS-backed implementation replaces it behind this interface.</summary>
public interface IKeyEncryptionKeys
{
    /// <summary>The version new data keys are wrapped with.</summary>
    int CurrentVersion { get; }

    /// <summary>Wraps a data key with the current KEK; <paramref name="context"/> (the key's id) is bound as associated data.</summary>
    WrappedKey Wrap(ReadOnlySpan<byte> dataKey, string context);

    /// <summary>Unwraps a data key; throws <see cref="CryptographicException"/> when the blob or context was altered.</summary>
    byte[] Unwrap(WrappedKey wrapped, string context);

    /// <summary>Creates the next KEK version and makes it current; returns its version.</summary>
    int Rotate();
}

/// <summary>KEKs as files <c>kek-N.key</c> (32 random bytes, base64, owner-only permissions) in a key folder, or a single
/// KEK (version 1) from WARDEN_KEK. The first start creates kek-1. Keep the key folder off the data volume in production
/// (Warden:KeyDirectory), or use WARDEN_KEK from a secret store, so that a copy of the data alone is unreadable.</summary>
public sealed class FileKeyEncryptionKeys : IKeyEncryptionKeys
{
    private readonly string? _directory;
    private readonly Dictionary<int, byte[]> _keys = [];
    private readonly Lock _gate = new();

    /// <summary>Loads KEKs from <paramref name="directory"/> (created when missing), or uses <paramref name="environmentKey"/> (base64, 32 bytes).</summary>
    public FileKeyEncryptionKeys(string? directory, string? environmentKey)
    {
        if (!string.IsNullOrEmpty(environmentKey))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(environmentKey);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException("WARDEN_KEK must be 32 bytes in base64 (e.g. `openssl rand -base64 32`).");
            }

            if (key.Length != 32)
            {
                throw new InvalidOperationException($"WARDEN_KEK must be 32 bytes in base64; it decodes to {key.Length} bytes.");
            }

            _keys[1] = key;
            CurrentVersion = 1;
            return;
        }

        _directory = directory ?? throw new ArgumentNullException(nameof(directory));
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.EnumerateFiles(directory, "kek-*.key"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (int.TryParse(name["kek-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                _keys[version] = Convert.FromBase64String(File.ReadAllText(file).Trim());
            }
        }

        CurrentVersion = _keys.Count == 0 ? Create(1) : _keys.Keys.Max();
    }

    /// <inheritdoc />
    public int CurrentVersion { get; private set; }

    /// <inheritdoc />
    public WrappedKey Wrap(ReadOnlySpan<byte> dataKey, string context)
    {
        int version;
        byte[] kek;
        lock (_gate)
        {
            version = CurrentVersion;
            kek = _keys[version];
        }

        var blob = new byte[12 + 16 + dataKey.Length];
        RandomNumberGenerator.Fill(blob.AsSpan(0, 12));
        using var aes = new AesGcm(kek, 16);
        aes.Encrypt(blob.AsSpan(0, 12), dataKey, blob.AsSpan(28), blob.AsSpan(12, 16), Aad(version, context));
        return new WrappedKey(version, Convert.ToBase64String(blob));
    }

    /// <inheritdoc />
    public byte[] Unwrap(WrappedKey wrapped, string context)
    {
        byte[] kek;
        lock (_gate)
        {
            if (!_keys.TryGetValue(wrapped.KekVersion, out kek!))
            {
                throw new CryptographicException($"key-encryption key version {wrapped.KekVersion} is not available");
            }
        }

        var blob = Convert.FromBase64String(wrapped.Blob);
        var key = new byte[blob.Length - 28];
        using var aes = new AesGcm(kek, 16);
        aes.Decrypt(blob.AsSpan(0, 12), blob.AsSpan(28), blob.AsSpan(12, 16), key, Aad(wrapped.KekVersion, context));
        return key;
    }

    /// <inheritdoc />
    public int Rotate()
    {
        if (_directory is null)
        {
            throw new InvalidOperationException("The KEK comes from WARDEN_KEK; rotate it in the secret store and restart, or use a key directory.");
        }

        lock (_gate)
        {
            return Create(CurrentVersion + 1);
        }
    }

    private int Create(int version)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var path = Path.Combine(_directory!, $"kek-{version}.key");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToBase64String(key));
        }

        _keys[version] = key;
        CurrentVersion = version;
        return version;
    }

    private static byte[] Aad(int version, string context) => System.Text.Encoding.UTF8.GetBytes($"warden-kek|v{version}|{context}");
}
