using BenchmarkDotNet.Attributes;
using Warden.Experimentation.Bandits;
using Warden.Experimentation.Numerics;

namespace Warden.Benchmarks;

/// <summary>
/// Decision latency of the bandit policies: Thompson sampling over 10 Bernoulli arms (one Beta draw per arm) and
/// LinUCB over 10 arms with 20-dimensional contexts (O(K·d²) per decision, O(d²) per Sherman–Morrison update).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class BanditBenchmarks
{
    private const int Arms = 10;
    private const int Dimension = 20;
    private ThompsonBernoulli _thompson = null!;
    private LinUcb _linUcb = null!;
    private double[] _context = null!;
    private int _nextArm;

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(1);
        _thompson = new ThompsonBernoulli(Arms, new SeededRandom(2));
        for (int i = 0; i < 10_000; i++)
        {
            int arm = i % Arms;
            _thompson.Update(arm, random.NextBernoulli(0.05 + 0.01 * arm) ? 1 : 0);
        }
        _linUcb = new LinUcb(Arms, Dimension, alpha: 1.0);
        _context = new double[Dimension];
        for (int i = 0; i < 5_000; i++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                _context[j] = random.NextNormal();
            }
            _linUcb.Update(i % Arms, _context, random.NextNormal(0.1 * _context[0], 1));
        }
    }

    [Benchmark(Description = "Thompson sampling, 10 arms: SelectArm")]
    public int ThompsonSelect() => _thompson.SelectArm();

    [Benchmark(Description = "LinUCB, 10 arms × 20 dims: SelectArm")]
    public int LinUcbSelect() => _linUcb.SelectArm(_context);

    [Benchmark(Description = "LinUCB, 20 dims: Update (Sherman–Morrison)")]
    public void LinUcbUpdate()
    {
        _linUcb.Update(_nextArm, _context, 0.5);
        _nextArm = (_nextArm + 1) % Arms;
    }
}
