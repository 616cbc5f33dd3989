namespace Warden.Contracts;

/// <summary>One record of the tamper-evident audit log.</summary>
/// <param name="Sequence">Position in the chain, starting at 1, without gaps.</param>
/// <param name="At">When the change was committed.</param>
/// <param name="ActorKeyId">The API key that made the call ("system" for the server itself).</param>
/// <param name="ActorName">The key's name at the time.</param>
/// <param name="ActorRoles">The key's roles at the time.</param>
/// <param name="Action">What was done, e.g. <c>keys.create</c>.</param>
/// <param name="Target">What it was done to, e.g. <c>key:k_4f2a…</c>.</param>
/// <param name="RequestId">The request that caused it (also in the X-Request-Id response header).</param>
/// <param name="Outcome">success, denied, rejected or failed.</param>
/// <param name="Details">JSON details of the change (privacy-masked).</param>
/// <param name="DetailsDigest">SHA-256 (hex) of <paramref name="Details"/>.</param>
/// <param name="PreviousHash">The hash of record <c>Sequence - 1</c> (64 zeros for the first).</param>
/// <param name="Hash">SHA-256 (hex) over this record's canonical form, which includes <paramref name="PreviousHash"/>.</param>
public sealed record AuditRecord(
    long Sequence,
    DateTimeOffset At,
    string ActorKeyId,
    string ActorName,
    IReadOnlyList<string> ActorRoles,
    string Action,
    string Target,
    string RequestId,
    string Outcome,
    string Details,
    string DetailsDigest,
    string PreviousHash,
    string Hash);

/// <summary>Outcome words used in <see cref="AuditRecord.Outcome"/>.</summary>
public static class AuditOutcome
{
    /// <summary>The change was made.</summary>
    public const string Success = "success";

    /// <summary>The caller lacked the permission (HTTP 403).</summary>
    public const string Denied = "denied";

    /// <summary>The request was refused as invalid or conflicting (HTTP 4xx other than 401/403).</summary>
    public const string Rejected = "rejected";

    /// <summary>The server failed (HTTP 5xx).</summary>
    public const string Failed = "failed";
}

/// <summary>The result of recomputing the audit chain.</summary>
/// <param name="Intact">True when every record's hash and link check out.</param>
/// <param name="RecordsChecked">How many records were read.</param>
/// <param name="HeadSequence">The last record's sequence number (0 for an empty log).</param>
/// <param name="HeadHash">The last record's hash; publish it to detect truncation later.</param>
/// <param name="FirstBrokenSequence">The first record that does not verify, if any.</param>
/// <param name="Problem">What is wrong with that record.</param>
/// <param name="CheckedAt">When the verification ran.</param>
public sealed record AuditVerification(
    bool Intact,
    long RecordsChecked,
    long HeadSequence,
    string HeadHash,
    long? FirstBrokenSequence,
    string? Problem,
    DateTimeOffset CheckedAt);

/// <summary>A signed checkpoint of the audit log's Merkle tree.</summary>
/// <param name="TreeSize">How many records the tree covers.</param>
/// <param name="RootHash">Base64 RFC 6962 root hash.</param>
/// <param name="Note">The signed note (C2SP checkpoint, ECDSA P-256); keep it to check consistency later.</param>
/// <param name="PublicKey">The log's checkpoint public key (PEM).</param>
public sealed record AuditCheckpoint(long TreeSize, string RootHash, string Note, string PublicKey);

/// <summary>An RFC 6962 inclusion proof.</summary>
public sealed record AuditInclusionProof(long Sequence, long TreeSize, string LeafHash, string RootHash, IReadOnlyList<string> Proof);

/// <summary>An RFC 6962 consistency proof.</summary>
public sealed record AuditConsistencyProof(long From, long To, string FromRoot, string ToRoot, IReadOnlyList<string> Proof);
