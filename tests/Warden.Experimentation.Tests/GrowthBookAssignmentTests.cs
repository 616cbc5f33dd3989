using System.Text.Json;
using Warden.Experimentation.Assignment;

namespace Warden.Experimentation.Tests;

/// <summary>
/// Assignment agrees with GrowthBook's published SDK test vectors (Fixtures/growthbook-cases.json, MIT licence, copied
/// from growthbook/growthbook packages/sdk-js/test/cases.json): hash, getBucketRange, chooseVariation, inNamespace,
/// getEqualWeights, and the hashing-related "run" cases.
/// </summary>
public sealed class GrowthBookAssignmentTests
{
    private static JsonElement Cases(string section) => Fixtures.GrowthBook.GetProperty(section);

    public static TheoryData<int> Indexes(string section) => new(Enumerable.Range(0, Cases(section).GetArrayLength()));

    public static TheoryData<int> HashCases => Indexes("hash");
    public static TheoryData<int> BucketRangeCases => Indexes("getBucketRange");
    public static TheoryData<int> ChooseVariationCases => Indexes("chooseVariation");
    public static TheoryData<int> NamespaceCases => Indexes("inNamespace");
    public static TheoryData<int> RunCases => Indexes("run");

    [Theory]
    [MemberData(nameof(HashCases))]
    public void Hash_matches_the_published_vector(int index)
    {
        JsonElement c = Cases("hash")[index];
        string seed = c[0].GetString()!;
        string value = c[1].GetString()!;
        int version = c[2].GetInt32();
        double? actual = GrowthBookHash.Hash(seed, value, version);
        if (c[3].ValueKind == JsonValueKind.Null)
        {
            Assert.Null(actual);
        }
        else
        {
            Assert.NotNull(actual);
            Assert.Equal(c[3].GetDouble(), actual.Value, 12);
        }
    }

    [Theory]
    [MemberData(nameof(BucketRangeCases))]
    public void Bucket_ranges_match_the_published_vector(int index)
    {
        JsonElement c = Cases("getBucketRange")[index];
        JsonElement args = c[1];
        double[]? weights = args[2].ValueKind == JsonValueKind.Null ? null : args[2].Numbers();
        BucketRange[] actual = Bucketing.GetBucketRanges(args[0].GetInt32(), args[1].GetDouble(), weights);
        JsonElement expected = c[2];
        Assert.Equal(expected.GetArrayLength(), actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i][0].GetDouble(), actual[i].Start, 12);
            Assert.Equal(expected[i][1].GetDouble(), actual[i].End, 12);
        }
    }

    [Theory]
    [MemberData(nameof(ChooseVariationCases))]
    public void Choose_variation_matches_the_published_vector(int index)
    {
        JsonElement c = Cases("chooseVariation")[index];
        BucketRange[] ranges = c[2].EnumerateArray().Select(r => new BucketRange(r[0].GetDouble(), r[1].GetDouble())).ToArray();
        Assert.Equal(c[3].GetInt32(), Bucketing.ChooseVariation(c[1].GetDouble(), ranges));
    }

    [Theory]
    [MemberData(nameof(NamespaceCases))]
    public void Namespace_membership_matches_the_published_vector(int index)
    {
        JsonElement c = Cases("inNamespace")[index];
        JsonElement ns = c[2];
        var experimentNamespace = new ExperimentNamespace(ns[0].GetString()!, ns[1].GetDouble(), ns[2].GetDouble());
        Assert.Equal(c[3].GetBoolean(), Bucketing.InNamespace(c[1].GetString()!, experimentNamespace));
    }

    [Fact]
    public void Equal_weights_match_the_published_vectors()
    {
        foreach (JsonElement c in Cases("getEqualWeights").EnumerateArray())
        {
            double[] expected = c[1].Numbers();
            double[] actual = Bucketing.EqualWeights(c[0].GetInt32());
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.Equal(expected[i], actual[i], 8);
            }
        }
    }

    [Theory]
    [MemberData(nameof(RunCases))]
    public void Run_assigns_the_published_variation(int index)
    {
        JsonElement c = Cases("run")[index];
        string name = c[0].GetString()!;
        Dictionary<string, string> attributes = c[1].TryGetProperty("attributes", out JsonElement attrs)
            ? attrs.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        ExperimentDefinition experiment = ParseExperiment(c[2]);

        VariationAssignment result = ExperimentAssigner.Assign(experiment, attributes);

        Assert.True(c[4].GetBoolean() == result.InExperiment, $"{name}: inExperiment");
        Assert.True(c[5].GetBoolean() == result.HashUsed, $"{name}: hashUsed");
        Assert.True(c[3].GetInt32() == result.VariationIndex, $"{name}: variation {result.VariationIndex} ({result.Outcome})");
    }

    [Fact]
    public void Assignment_is_sticky_and_follows_the_weights()
    {
        var experiment = new ExperimentDefinition
        {
            Key = "model-v7-vs-v8",
            VariationCount = 3,
            Weights = [0.5, 0.3, 0.2],
            HashVersion = 2,
        };
        var counts = new int[3];
        for (int i = 0; i < 60_000; i++)
        {
            string unit = "user-" + i;
            VariationAssignment first = ExperimentAssigner.Assign(experiment, unit);
            VariationAssignment again = ExperimentAssigner.Assign(experiment, unit);
            Assert.Equal(first, again);
            counts[first.VariationIndex]++;
        }
        // Within ~5 standard errors of 30000 / 18000 / 12000.
        Assert.InRange(counts[0], 29_400, 30_600);
        Assert.InRange(counts[1], 17_450, 18_550);
        Assert.InRange(counts[2], 11_500, 12_500);
    }

    [Fact]
    public void Experiments_in_disjoint_namespace_slices_never_share_a_unit()
    {
        var left = new ExperimentDefinition { Key = "a", VariationCount = 2, Namespace = new ExperimentNamespace("serving", 0, 0.5) };
        var right = new ExperimentDefinition { Key = "b", VariationCount = 2, Namespace = new ExperimentNamespace("serving", 0.5, 1) };
        int inLeft = 0;
        for (int i = 0; i < 10_000; i++)
        {
            string unit = "u" + i;
            bool a = ExperimentAssigner.Assign(left, unit).InExperiment;
            bool b = ExperimentAssigner.Assign(right, unit).InExperiment;
            Assert.True(a != b, $"unit {unit} must be in exactly one of the two experiments");
            inLeft += a ? 1 : 0;
        }
        Assert.InRange(inLeft, 4_700, 5_300);
    }

    [Fact]
    public void Holdout_excludes_the_same_units_from_every_experiment()
    {
        var holdout = new Holdout("holdout-2026q4", 0.1);
        var first = new ExperimentDefinition { Key = "ranker", VariationCount = 2, HashVersion = 2, Holdouts = [holdout] };
        var second = new ExperimentDefinition { Key = "fraud-model", VariationCount = 2, HashVersion = 2, Holdouts = [holdout] };
        int heldOut = 0;
        for (int i = 0; i < 20_000; i++)
        {
            string unit = "customer-" + i;
            VariationAssignment a = ExperimentAssigner.Assign(first, unit);
            VariationAssignment b = ExperimentAssigner.Assign(second, unit);
            Assert.Equal(a.Outcome == AssignmentOutcome.HeldOut, b.Outcome == AssignmentOutcome.HeldOut);
            Assert.Equal(holdout.IsHeldOut(unit), a.Outcome == AssignmentOutcome.HeldOut);
            heldOut += a.Outcome == AssignmentOutcome.HeldOut ? 1 : 0;
        }
        Assert.InRange(heldOut, 1_800, 2_200);
        // The holdout is the exclusion half of a filter on the same seed.
        var viaFilter = new ExperimentDefinition { Key = "ranker", VariationCount = 2, HashVersion = 2, Filters = [holdout.ToFilter()] };
        for (int i = 0; i < 2_000; i++)
        {
            string unit = "customer-" + i;
            Assert.Equal(ExperimentAssigner.Assign(first, unit).InExperiment, ExperimentAssigner.Assign(viaFilter, unit).InExperiment);
        }
    }

    private static ExperimentDefinition ParseExperiment(JsonElement e)
    {
        return new ExperimentDefinition
        {
            Key = e.GetProperty("key").GetString()!,
            VariationCount = e.GetProperty("variations").GetArrayLength(),
            Weights = e.TryGetProperty("weights", out JsonElement w) ? w.Numbers() : null,
            Coverage = e.TryGetProperty("coverage", out JsonElement cov) ? cov.GetDouble() : 1,
            Seed = e.TryGetProperty("seed", out JsonElement seed) ? seed.GetString() : null,
            HashVersion = e.TryGetProperty("hashVersion", out JsonElement hv) ? hv.GetInt32() : 1,
            Namespace = e.TryGetProperty("namespace", out JsonElement ns)
                ? new ExperimentNamespace(ns[0].GetString()!, ns[1].GetDouble(), ns[2].GetDouble())
                : null,
            Ranges = e.TryGetProperty("ranges", out JsonElement r) ? ParseRanges(r) : null,
            Filters = e.TryGetProperty("filters", out JsonElement f)
                ? f.EnumerateArray().Select(x => new HashFilter(
                    x.GetProperty("seed").GetString()!,
                    ParseRanges(x.GetProperty("ranges")),
                    x.TryGetProperty("hashVersion", out JsonElement fv) ? fv.GetInt32() : 2,
                    x.TryGetProperty("attribute", out JsonElement fa) ? fa.GetString() : null)).ToArray()
                : null,
        };
    }

    private static BucketRange[] ParseRanges(JsonElement r) =>
        r.EnumerateArray().Select(x => new BucketRange(x[0].GetDouble(), x[1].GetDouble())).ToArray();
}
