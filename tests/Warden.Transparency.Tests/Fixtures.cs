using System.Text.Json;

namespace Warden.Transparency.Tests;

/// <summary>Loads the committed reference files from the test output directory.</summary>
internal static class Fixtures
{
    private static readonly Lazy<JsonElement> MerkleVectors = new(() => LoadJson("transparency-dev-merkle.json"));

    /// <summary>transparency-dev/merkle's published vectors (Apache-2.0), see the file's _source.</summary>
    public static JsonElement Merkle => MerkleVectors.Value;

    /// <summary>The 8 reference leaf inputs.</summary>
    public static byte[][] LeafInputs => Merkle.GetProperty("leafInputs").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToArray();

    /// <summary>MTH of the first n reference leaves, n = 0..8.</summary>
    public static Sha256Hash[] RootsBySize => Merkle.GetProperty("rootsBySize").Hashes();

    /// <summary>nodeHashes[level][index] of the 8-leaf reference tree.</summary>
    public static Sha256Hash[][] NodeHashes => Merkle.GetProperty("nodeHashes").EnumerateArray().Select(l => l.Hashes()).ToArray();

    public static Sha256Hash[] Hashes(this JsonElement array) => array.EnumerateArray().Select(e => Sha256Hash.FromHex(e.GetString()!)).ToArray();

    public static string ReadText(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static JsonElement LoadJson(string name)
    {
        using var document = JsonDocument.Parse(ReadText(name));
        return document.RootElement.Clone();
    }
}
