using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Warden.Server.Audit;

/// <summary>One audit row exactly as stored (times in Unix milliseconds, roles comma-separated).</summary>
public sealed class AuditRow
{
    /// <summary>Chain position, 1-based.</summary>
    public long Seq { get; set; }

    /// <summary>Unix epoch milliseconds (UTC).</summary>
    public long At { get; set; }

    /// <summary>Key id of the caller, or "system".</summary>
    public string ActorKeyId { get; set; } = "";

    /// <summary>Key name at the time.</summary>
    public string ActorName { get; set; } = "";

    /// <summary>Comma-separated roles at the time.</summary>
    public string ActorRoles { get; set; } = "";

    /// <summary>Dotted action name.</summary>
    public string Action { get; set; } = "";

    /// <summary>What the action touched.</summary>
    public string Target { get; set; } = "";

    /// <summary>Request id.</summary>
    public string RequestId { get; set; } = "";

    /// <summary>success, denied, rejected or failed.</summary>
    public string Outcome { get; set; } = "";

    /// <summary>JSON details.</summary>
    public string Details { get; set; } = "{}";

    /// <summary>SHA-256 hex of <see cref="Details"/>.</summary>
    public string DetailsDigest { get; set; } = "";

    /// <summary>Hash of the previous record.</summary>
    public string PrevHash { get; set; } = "";

    /// <summary>Hash of this record.</summary>
    public string Hash { get; set; } = "";
}

/// <summary>The hash chain: how a record's hash is computed, and a streaming verifier.
/// A record's hash is SHA-256 over a canonical JSON object of all its fields in a fixed order (format version 1),
/// including the details digest and the previous record's hash, so changing, removing or reordering any record
/// breaks every link after it.</summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first record.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>SHA-256 (lowercase hex) of a details string (UTF-8).</summary>
    public static string Digest(string details)
    {
        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes(details);
        SHA256.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The hash a record should carry, given its fields and <see cref="AuditRow.PrevHash"/>.</summary>
    public static string ComputeHash(AuditRow row)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        return ComputeHash(row, buffer);
    }

    internal static string ComputeHash(AuditRow row, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            writer.WriteNumber("seq", row.Seq);
            writer.WriteNumber("at", row.At);
            writer.WriteString("actorKeyId", row.ActorKeyId);
            writer.WriteString("actorName", row.ActorName);
            writer.WriteString("actorRoles", row.ActorRoles);
            writer.WriteString("action", row.Action);
            writer.WriteString("target", row.Target);
            writer.WriteString("requestId", row.RequestId);
            writer.WriteString("outcome", row.Outcome);
            writer.WriteString("detailsDigest", row.DetailsDigest);
            writer.WriteString("prevHash", row.PrevHash);
            writer.WriteEndObject();
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Checks records one at a time, in sequence order, without holding them in memory.</summary>
    public sealed class Verifier
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(512);
        private string _previousHash = GenesisHash;

        /// <summary>Records checked so far.</summary>
        public long Checked { get; private set; }

        /// <summary>The last good record's sequence number.</summary>
        public long HeadSequence { get; private set; }

        /// <summary>The last good record's hash.</summary>
        public string HeadHash => _previousHash;

        /// <summary>Checks the next record; returns null when it verifies, else what is wrong with it.</summary>
        public string? Check(AuditRow row)
        {
            Checked++;
            var expectedSeq = HeadSequence + 1;
            if (row.Seq != expectedSeq)
            {
                return row.Seq > expectedSeq
                    ? $"record {expectedSeq} is missing (the next record is {row.Seq})"
                    : $"record {row.Seq} appears out of order after {HeadSequence}";
            }

            if (!string.Equals(row.PrevHash, _previousHash, StringComparison.Ordinal))
            {
                return $"record {row.Seq} does not link to its predecessor (prev_hash {Short(row.PrevHash)}, expected {Short(_previousHash)})";
            }

            if (!string.Equals(Digest(row.Details), row.DetailsDigest, StringComparison.Ordinal))
            {
                return $"record {row.Seq} details do not match their digest";
            }

            var computed = ComputeHash(row, _buffer);
            if (!string.Equals(computed, row.Hash, StringComparison.Ordinal))
            {
                return $"record {row.Seq} hash does not match its contents (stored {Short(row.Hash)}, computed {Short(computed)})";
            }

            _previousHash = row.Hash;
            HeadSequence = row.Seq;
            return null;
        }

        private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;
    }
}
