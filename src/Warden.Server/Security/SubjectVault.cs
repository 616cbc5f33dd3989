using Warden.Server.Audit;
using Warden.Server.Data;

namespace Warden.Server.Security;

/// <summary>Per-subject encryption for personal payloads (crypto-shredding): everything stored about a data subject is
/// sealed with that subject's own data key, so erasing the subject is destroying one key — every copy, backup and log
/// segment that holds their sealed payloads becomes unreadable at once.</summary>
public sealed class SubjectVault(DataKeyStore keys, WardenDatabase database, AuditLog audit)
{
    /// <summary>Seals <paramref name="payload"/> for <paramref name="subjectId"/>, bound to <paramref name="recordId"/>.</summary>
    public async Task<byte[]> SealAsync(string subjectId, string recordId, byte[] payload, CancellationToken cancellationToken = default)
    {
        var keyId = KeyId(subjectId);
        var key = await keys.GetAsync(keyId, "subject", cancellationToken);
        return Envelope.Seal(key!, payload, $"warden-subject|{keyId}|record:{recordId}");
    }

    /// <summary>Opens a sealed payload; throws <see cref="KeyDestroyedException"/> once the subject was erased.</summary>
    public async Task<byte[]> OpenAsync(string subjectId, string recordId, byte[] sealedPayload, CancellationToken cancellationToken = default)
    {
        var keyId = KeyId(subjectId);
        var key = await keys.GetAsync(keyId, null, cancellationToken) ?? throw new KeyDestroyedException(keyId, DateTimeOffset.MinValue);
        return Envelope.Open(key, sealedPayload, $"warden-subject|{keyId}|record:{recordId}");
    }

    /// <summary>Erases a subject by destroying their key (audited); returns false when Warden held nothing for them.</summary>
    public async Task<bool> EraseAsync(string subjectId, string reason, AuditScope scope, CancellationToken cancellationToken = default)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var destroyed = await keys.DestroyAsync(uow, KeyId(subjectId), cancellationToken);
        // The audit record names a digest of the subject id, not the id itself: the log must not keep what was erased.
        await audit.AppendAsync(uow, scope, "privacy.erase_subject", $"subject:{SubjectDigest(subjectId)}", new { reason, keyDestroyed = destroyed },
            cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return destroyed;
    }

    /// <summary>A stable, non-reversible reference to a subject for logs and audit records.</summary>
    public static string SubjectDigest(string subjectId) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("warden-subject:" + subjectId)))[..16];

    private static string KeyId(string subjectId) => "subject:" + SubjectDigest(subjectId);
}
