using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Warden.Transparency.Checkpoints;

/// <summary>A checkpoint verification key: a name and an ECDSA P-256 public key. Its key id is the first four
/// bytes (big-endian) of SHA-256 over the public key's SubjectPublicKeyInfo DER, as the C2SP signed-note
/// specification assigns to ECDSA signatures (signature type 0x02).</summary>
public sealed class CheckpointPublicKey
{
    /// <summary>The OID of the NIST P-256 curve (secp256r1, prime256v1).</summary>
    internal const string P256Oid = "1.2.840.10045.3.1.7";

    private readonly byte[] _subjectPublicKeyInfo;

    private CheckpointPublicKey(string name, byte[] subjectPublicKeyInfo)
    {
        Name = name;
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        KeyId = ComputeKeyId(subjectPublicKeyInfo);
    }

    /// <summary>The key name used on signature lines (by convention the log's origin).</summary>
    public string Name { get; }

    /// <summary>The 32-bit key id.</summary>
    public uint KeyId { get; }

    /// <summary>The key id as 8 lowercase hexadecimal digits.</summary>
    public string KeyIdHex => KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The public key as SubjectPublicKeyInfo DER.</summary>
    public ReadOnlySpan<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>Imports a <c>-----BEGIN PUBLIC KEY-----</c> PEM (SubjectPublicKeyInfo) holding an ECDSA P-256 key.</summary>
    /// <exception cref="ArgumentException">The name is not a valid key name.</exception>
    /// <exception cref="FormatException">The PEM is not an ECDSA P-256 public key; the message says why.</exception>
    public static CheckpointPublicKey FromPem(string name, string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        ValidateName(name);
        if (!pem.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal))
        {
            throw new FormatException(pem.Contains("PRIVATE KEY", StringComparison.Ordinal)
                ? "Expected a public key PEM (BEGIN PUBLIC KEY), got a private key: never distribute the private key."
                : "Expected a PEM block \"-----BEGIN PUBLIC KEY-----\" (SubjectPublicKeyInfo).");
        }

        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new FormatException($"The public key PEM is not an ECDSA key: {e.Message}", e);
        }

        RequireP256(ecdsa);
        return new CheckpointPublicKey(name, ecdsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Imports SubjectPublicKeyInfo DER holding an ECDSA P-256 key.</summary>
    /// <exception cref="FormatException">Not an ECDSA P-256 public key.</exception>
    public static CheckpointPublicKey FromSubjectPublicKeyInfo(string name, ReadOnlySpan<byte> der)
    {
        ValidateName(name);
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length)
            {
                throw new FormatException($"The public key has {der.Length - read} bytes after its DER structure.");
            }
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"Not an ECDSA SubjectPublicKeyInfo: {e.Message}", e);
        }

        RequireP256(ecdsa);
        return new CheckpointPublicKey(name, ecdsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The public key as a <c>-----BEGIN PUBLIC KEY-----</c> PEM.</summary>
    public string ExportPem() => PemEncoding.WriteString("PUBLIC KEY", _subjectPublicKeyInfo);

    /// <summary>True when <paramref name="signature"/> (ASN.1 DER, as RFC 3279) is an ECDSA P-256 / SHA-256
    /// signature of <paramref name="message"/> by this key. Malformed signatures are simply invalid.</summary>
    public bool VerifySignature(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(_subjectPublicKeyInfo, out _);
        try
        {
            return ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The key id of a public key: SHA-256(SubjectPublicKeyInfo DER)[0..4] read big-endian.</summary>
    public static uint ComputeKeyId(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(subjectPublicKeyInfo, hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    /// <summary>"name (key id xxxxxxxx)".</summary>
    public override string ToString() => $"{Name} (key id {KeyIdHex})";

    /// <summary>Key names are non-empty and contain no whitespace or '+' (C2SP signed-note).</summary>
    internal static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (NameProblem(name) is { } problem)
        {
            throw new ArgumentException($"Invalid key name \"{name}\": {problem}.", nameof(name));
        }
    }

    internal static string? NameProblem(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        foreach (var c in name)
        {
            if (char.IsWhiteSpace(c) || c == '+' || char.IsControl(c))
            {
                return c == '+' ? "it contains '+'" : "it contains whitespace or a control character";
            }
        }

        return null;
    }

    internal static void RequireP256(ECDsa ecdsa)
    {
        var curve = ecdsa.ExportParameters(false).Curve;
        if (!curve.IsNamed || curve.Oid.Value != P256Oid)
        {
            throw new FormatException(
                $"Checkpoint keys are ECDSA on NIST P-256; this key is on {curve.Oid.FriendlyName ?? curve.Oid.Value ?? "an explicit curve"}.");
        }
    }
}

/// <summary>A checkpoint signing key: a name and an ECDSA P-256 private key. Keep the private key in a secret store;
/// hand out <see cref="PublicKey"/> (as PEM) to verifiers.</summary>
public sealed class CheckpointSigningKey : IDisposable
{
    private readonly ECDsa _ecdsa;

    private CheckpointSigningKey(string name, ECDsa ecdsa)
    {
        Name = name;
        _ecdsa = ecdsa;
        PublicKey = CheckpointPublicKey.FromSubjectPublicKeyInfo(name, ecdsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The key name used on signature lines.</summary>
    public string Name { get; }

    /// <summary>The matching verification key.</summary>
    public CheckpointPublicKey PublicKey { get; }

    /// <summary>Creates a fresh P-256 key.</summary>
    public static CheckpointSigningKey Generate(string name)
    {
        CheckpointPublicKey.ValidateName(name);
        return new CheckpointSigningKey(name, ECDsa.Create(ECCurve.NamedCurves.nistP256));
    }

    /// <summary>Imports an unencrypted private key PEM (<c>PRIVATE KEY</c>, PKCS#8, or <c>EC PRIVATE KEY</c>,
    /// SEC 1) on NIST P-256.</summary>
    /// <exception cref="FormatException">Not an unencrypted ECDSA P-256 private key.</exception>
    public static CheckpointSigningKey FromPem(string name, string privateKeyPem)
    {
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        CheckpointPublicKey.ValidateName(name);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(privateKeyPem);
            if (ecdsa.ExportParameters(true).D is null)
            {
                throw new FormatException("The PEM holds a public key; signing needs the private key.");
            }

            CheckpointPublicKey.RequireP256(ecdsa);
            return new CheckpointSigningKey(name, ecdsa);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or FormatException)
        {
            ecdsa.Dispose();
            if (e is FormatException)
            {
                throw;
            }

            throw new FormatException($"The private key PEM is not an unencrypted ECDSA key: {e.Message}", e);
        }
    }

    /// <summary>The private key as an unencrypted PKCS#8 <c>-----BEGIN PRIVATE KEY-----</c> PEM.</summary>
    public string ExportPrivateKeyPem() => _ecdsa.ExportPkcs8PrivateKeyPem();

    /// <summary>An ECDSA P-256 / SHA-256 signature of <paramref name="message"/>, ASN.1 DER encoded.</summary>
    public byte[] SignData(ReadOnlySpan<byte> message) =>
        _ecdsa.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Signs a checkpoint: returns the complete signed note (text, blank line, one signature line).</summary>
    public string Sign(Checkpoint checkpoint) => SignedNote.Sign(checkpoint, this);

    /// <inheritdoc />
    public void Dispose() => _ecdsa.Dispose();

    /// <summary>"name (key id xxxxxxxx)".</summary>
    public override string ToString() => PublicKey.ToString();
}
