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
        using var writer = new Utf8JsonWriter(buffer);
        Span<byte> hash = stackalloc byte[32];
        ComputeHash(row, buffer, writer, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Writes the canonical form into <paramref name="buffer"/> (reusing <paramref name="writer"/>) and hashes it.</summary>
    private static void ComputeHash(AuditRow row, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer, Span<byte> hash)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
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
        writer.Flush();
        SHA256.HashData(buffer.WrittenSpan, hash);
    }

    /// <summary>True when <paramref name="hex"/> is the lowercase or uppercase hex form of <paramref name="bytes"/>.</summary>
    private static bool HexEquals(string hex, ReadOnlySpan<byte> bytes)
    {
        Span<byte> parsed = stackalloc byte[32];
        return hex.Length == bytes.Length * 2
            && Convert.FromHexString(hex, parsed, out _, out var written) == OperationStatus.Done
            && parsed[..written].SequenceEqual(bytes);
    }

    /// <summary>Checks records one at a time, in sequence order, without holding them in memory.</summary>
    public sealed class Verifier : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(512);
        private readonly Utf8JsonWriter _writer;
        private byte[] _details = new byte[1024];
        private string _previousHash = GenesisHash;

        /// <summary>Creates a verifier that starts at the first record.</summary>
        public Verifier() => _writer = new Utf8JsonWriter(_buffer);

        /// <summary>Records checked so far.</summary>
        public long Checked { get; private set; }

        /// <summary>The last good record's sequence number.</summary>
        public long HeadSequence { get; private set; }

        /// <summary>The last good record's hash.</summary>
        public string HeadHash => _previousHash;

        /// <summary>Checks the next record; returns null when it verifies, else what is wrong with it.
        /// Allocation-free when the record verifies (the verifier reuses its buffers).</summary>
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

            var length = Encoding.UTF8.GetMaxByteCount(row.Details.Length);
            if (_details.Length < length)
            {
                _details = new byte[Math.Max(length, _details.Length * 2)];
            }

            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(_details.AsSpan(0, Encoding.UTF8.GetBytes(row.Details, _details)), hash);
            if (!HexEquals(row.DetailsDigest, hash))
            {
                return $"record {row.Seq} details do not match their digest";
            }

            ComputeHash(row, _buffer, _writer, hash);
            if (!HexEquals(row.Hash, hash))
            {
                return $"record {row.Seq} hash does not match its contents (stored {Short(row.Hash)}, computed {Short(Convert.ToHexStringLower(hash))})";
            }

            _previousHash = row.Hash;
            HeadSequence = row.Seq;
            return null;
        }

        /// <inheritdoc />
        public void Dispose() => _writer.Dispose();

        private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;
    }
}
