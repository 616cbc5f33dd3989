using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Warden.Server.Platform;

/// <summary>UUID version 7 identifiers (RFC 9562 §5.7: 48-bit Unix milliseconds, then 74 random bits) as 32 lowercase hex
/// digits — the same text as <c>Guid.CreateVersion7().ToString("N")</c>. The random bits come from a per-thread block
/// filled by the cryptographic generator 51 ids at a time: <see cref="Guid.CreateVersion7()"/> reads the kernel's random
/// source once per id, a system call on every prediction (two, with the request id) on the serving path.</summary>
public static class TimeOrderedId
{
    private const int RandomBytesPerId = 10;
    private const int BlockIds = 51;

    [ThreadStatic] private static byte[]? t_block;
    [ThreadStatic] private static int t_used;

    /// <summary>A fresh id for now.</summary>
    public static string NewHex() => NewHex(DateTimeOffset.UtcNow);

    /// <summary>A fresh id whose time part is <paramref name="at"/> (milliseconds since the Unix epoch, big-endian, so the
    /// text sorts by time).</summary>
    public static string NewHex(DateTimeOffset at)
    {
        var block = t_block;
        if (block is null || t_used == BlockIds)
        {
            block = t_block ??= new byte[RandomBytesPerId * BlockIds];
            RandomNumberGenerator.Fill(block);
            t_used = 0;
        }

        Span<byte> uuid = stackalloc byte[16];
        var milliseconds = (ulong)at.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt64BigEndian(uuid, milliseconds << 16);
        block.AsSpan(t_used++ * RandomBytesPerId, RandomBytesPerId).CopyTo(uuid[6..]);
        uuid[6] = (byte)(0x70 | (uuid[6] & 0x0F)); // version 7
        uuid[8] = (byte)(0x80 | (uuid[8] & 0x3F)); // variant 10
        return new Guid(uuid, bigEndian: true).ToString("N");
    }
}
