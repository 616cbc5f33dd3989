using BenchmarkDotNet.Attributes;
using Warden.Transparency;
using Warden.Transparency.Checkpoints;
using Warden.Transparency.Merkle;

namespace Warden.Benchmarks;

/// <summary>The RFC 6962 tree over 1,000,000 audit record hashes: the root in one streaming pass (O(log n) memory),
/// building the full in-memory tree, one inclusion and one consistency proof from it, verifying a proof, and signing
/// and verifying a checkpoint.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class TransparencyBenchmarks
{
    private const int Leaves = 1_000_000;
    private byte[][] _entries = null!;
    private MerkleTree _tree = null!;
    private Sha256Hash _root;
    private IReadOnlyList<Sha256Hash> _proof = null!;
    private CheckpointSigningKey _key = null!;
    private Checkpoint _checkpoint = null!;
    private string _note = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(6962);
        _entries = new byte[Leaves][];
        for (var i = 0; i < Leaves; i++)
        {
            _entries[i] = new byte[32];
            random.NextBytes(_entries[i]);
        }

        _tree = MerkleTree.FromEntries(_entries);
        _root = _tree.RootHash();
        _proof = _tree.InclusionProof(123_456);
        _key = CheckpointSigningKey.Generate("warden.example/audit");
        _checkpoint = new Checkpoint("warden.example/audit", Leaves, _root);
        _note = _key.Sign(_checkpoint);
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Description = "root of 1M leaves, streaming (MerkleFrontier)")]
    public Sha256Hash RootStreaming() => Rfc6962.RootOfEntries(_entries);

    [Benchmark(Description = "build MerkleTree of 1M leaves")]
    public long BuildTree() => MerkleTree.FromEntries(_entries).Size;

    [Benchmark(Description = "inclusion proof, 1M-leaf tree")]
    public int InclusionProof() => _tree.InclusionProof(123_456).Count;

    [Benchmark(Description = "consistency proof 654,321 -> 1M")]
    public int ConsistencyProof() => _tree.ConsistencyProof(654_321).Count;

    [Benchmark(Description = "root of a past size (999,999), 1M-leaf tree")]
    public Sha256Hash PastRoot() => _tree.RootHash(999_999);

    [Benchmark(Description = "verify inclusion proof (RFC 9162)")]
    public bool VerifyInclusion() => MerkleVerifier.VerifyInclusion(123_456, Leaves, _tree.LeafHash(123_456), _proof, _root).IsValid;

    [Benchmark(Description = "sign checkpoint (ECDSA P-256)")]
    public string SignCheckpoint() => _key.Sign(_checkpoint);

    [Benchmark(Description = "verify signed checkpoint")]
    public bool VerifyCheckpoint() => SignedNote.Verify(_note, _key.PublicKey).IsValid;
}
