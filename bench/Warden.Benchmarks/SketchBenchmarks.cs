using BenchmarkDotNet.Attributes;
using Warden.Statistics.Drift;
using Warden.Statistics.Sketches;

namespace Warden.Benchmarks;

/// <summary>
/// The monitoring profile's hot path and its merges: adding values to a numeric profile (Welford moments, KLL sketch
/// with k = 200, histogram on 10 reference bins, distinct-value tracking), adding categories to a Misra–Gries
/// profile, merging two windows of 1,000,000 values each, persisting a profile as JSON, and the KS test from two sketches.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class SketchBenchmarks
{
    private const int Batch = 100_000;
    private double[] _values = null!;
    private string[] _categories = null!;
    private double[] _edges = null!;
    private NumericProfile _windowA = null!;
    private NumericProfile _windowB = null!;
    private CategoricalProfile _categoricalA = null!;
    private CategoricalProfile _categoricalB = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _values = new double[Batch];
        for (var i = 0; i < _values.Length; i++)
        {
            _values[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }

        _categories = [.. Enumerable.Range(0, Batch).Select(_ => "c" + (int)Math.Floor(Math.Exp(random.NextDouble() * 7)))];
        _edges = BinEdges.FromQuantiles(_values, 10);
        _windowA = Window(seed: 1, shift: 0);
        _windowB = Window(seed: 2, shift: 0.1);
        _categoricalA = new CategoricalProfile();
        _categoricalB = new CategoricalProfile();
        foreach (var category in _categories)
        {
            _categoricalA.Add(category);
            _categoricalB.Add(category);
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "numeric profile: add one value")]
    public NumericProfile AddNumeric()
    {
        var profile = new NumericProfile(new NumericProfileOptions { BinEdges = _edges, Seed = 3 });
        foreach (var value in _values)
        {
            profile.Add(value);
        }

        return profile;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "categorical profile: add one value")]
    public CategoricalProfile AddCategorical()
    {
        var profile = new CategoricalProfile();
        foreach (var category in _categories)
        {
            profile.Add(category);
        }

        return profile;
    }

    [Benchmark(Description = "merge two numeric windows (1M values each)")]
    public NumericProfile MergeNumeric() => NumericProfile.Merge(_windowA, _windowB);

    [Benchmark(Description = "merge two categorical windows")]
    public CategoricalProfile MergeCategorical() => CategoricalProfile.Merge(_categoricalA, _categoricalB);

    [Benchmark(Description = "numeric profile to JSON")]
    public string NumericToJson() => _windowA.ToJson();

    [Benchmark(Description = "KS test from two KLL sketches (asymptotic p)")]
    public double KsFromSketches() => KolmogorovSmirnov.FromSketches(_windowA.Quantiles, _windowB.Quantiles).PValue;

    private NumericProfile Window(ulong seed, double shift)
    {
        var profile = new NumericProfile(new NumericProfileOptions { BinEdges = _edges, Seed = seed });
        for (var round = 0; round < 10; round++)
        {
            foreach (var value in _values)
            {
                profile.Add(value + shift);
            }
        }

        return profile;
    }
}
