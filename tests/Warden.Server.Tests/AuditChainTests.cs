using Warden.Server.Audit;

namespace Warden.Server.Tests;

/// <summary>The hash chain itself, without a database: every kind of tampering is named at the first broken record.</summary>
public sealed class AuditChainTests
{
    private static List<AuditRow> Chain(int count)
    {
        var rows = new List<AuditRow>();
        var previous = AuditChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var details = $"{{\"n\":{i}}}";
            var row = new AuditRow
            {
                Seq = i, At = 1_700_000_000_000 + i, ActorKeyId = "k_a", ActorName = "alice", ActorRoles = "admin",
                Action = "keys.create", Target = $"key:k_{i}", RequestId = $"req_{i}", Outcome = "success",
                Details = details, DetailsDigest = AuditChain.Digest(details), PrevHash = previous,
            };
            row.Hash = AuditChain.ComputeHash(row);
            previous = row.Hash;
            rows.Add(row);
        }

        return rows;
    }

    private static (long? broken, string? problem) Verify(IEnumerable<AuditRow> rows)
    {
        using var verifier = new AuditChain.Verifier();
        foreach (var row in rows)
        {
            if (verifier.Check(row) is { } problem)
            {
                return (row.Seq, problem);
            }
        }

        return (null, null);
    }

    [Fact]
    public void An_untouched_chain_verifies()
    {
        Assert.Equal((null, null), Verify(Chain(50)));
    }

    [Fact]
    public void The_hash_is_deterministic_and_covers_every_field()
    {
        var row = Chain(1)[0];
        var hash = AuditChain.ComputeHash(row);
        Assert.Equal(hash, AuditChain.ComputeHash(row));
        Assert.Matches("^[0-9a-f]{64}$", hash);
        foreach (var mutate in new Action<AuditRow>[]
                 {
                     r => r.At++, r => r.ActorKeyId = "k_b", r => r.ActorName = "mallory", r => r.ActorRoles = "viewer",
                     r => r.Action = "keys.revoke", r => r.Target = "key:other", r => r.RequestId = "req_x", r => r.Outcome = "denied",
                     r => r.DetailsDigest = AuditChain.Digest("{}"), r => r.PrevHash = new string('1', 64), r => r.Seq = 2,
                 })
        {
            var copy = Chain(1)[0];
            mutate(copy);
            Assert.NotEqual(hash, AuditChain.ComputeHash(copy));
        }
    }

    [Fact]
    public void A_changed_field_is_caught_at_that_record()
    {
        var rows = Chain(10);
        rows[6].Outcome = "denied";
        var (broken, problem) = Verify(rows);
        Assert.Equal(7, broken);
        Assert.Contains("hash does not match", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Changed_details_are_caught_by_their_digest()
    {
        var rows = Chain(10);
        rows[3].Details = "{\"n\":999}";
        var (broken, problem) = Verify(rows);
        Assert.Equal(4, broken);
        Assert.Contains("digest", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_record_is_caught_as_a_gap()
    {
        var rows = Chain(10);
        rows.RemoveAt(4);
        var (broken, problem) = Verify(rows);
        Assert.Equal(6, broken);
        Assert.Contains("record 5 is missing", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rewritten_record_with_a_recomputed_hash_breaks_the_next_link()
    {
        var rows = Chain(10);
        rows[2].Target = "key:forged";
        rows[2].Hash = AuditChain.ComputeHash(rows[2]);
        var (broken, problem) = Verify(rows);
        Assert.Equal(4, broken);
        Assert.Contains("does not link", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Renumbered_records_are_caught()
    {
        var rows = Chain(5);
        (rows[1], rows[2]) = (rows[2], rows[1]);
        var (broken, _) = Verify(rows);
        Assert.Equal(3, broken);
    }
}
