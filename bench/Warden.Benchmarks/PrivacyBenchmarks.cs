using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Warden.Privacy;

namespace Warden.Benchmarks;

/// <summary>
/// PII analysis and masking throughput on log-like text (about 1 MB of application log lines, one in five carrying
/// personal data), on one thread. The MB/s column is UTF-8 input megabytes (10^6 bytes) per second.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
[Config(typeof(ThroughputConfig))]
public class PrivacyBenchmarks
{
    /// <summary>The input, built deterministically so the host process (which computes MB/s) sees the same bytes.</summary>
    internal static readonly string Log = LogText.Build(lines: 8_000, seed: 42);

    internal static readonly int LogBytes = Encoding.UTF8.GetByteCount(Log);

    private readonly PiiAnalyzer _analyzer = new();
    private readonly PiiAnonymizer _masker = new(AnonymizerOperator.Mask(keepLast: 4));

    [Benchmark(Description = "Analyze")]
    public int Analyze() => _analyzer.Analyze(Log).Count;

    [Benchmark(Description = "Analyze + mask")]
    public int AnalyzeAndMask() => _masker.Anonymize(Log, _analyzer.Analyze(Log)).Text.Length;

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn());
    }

    private sealed class ThroughputColumn : IColumn
    {
        public string Id => nameof(ThroughputColumn);

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "UTF-8 input megabytes (10^6 bytes) processed per second, from the mean time";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return meanNanoseconds is null
                ? "NA"
                : (LogBytes / (meanNanoseconds.Value / 1e9) / 1e6).ToString("0.0", CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}

/// <summary>Deterministic application-log lines: mostly routine traffic, one in five with personal data.</summary>
internal static class LogText
{
    public static string Build(int lines, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(lines * 130);
        string[] names = ["Alice Smith", "Mohammed Khan", "Priya Patel", "James O'Brien", "Sofia Rossi"];
        string[] emails = ["alice.smith@example.com", "m.khan@example.org", "priya+billing@mail.example.net"];
        string[] cards = ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005"];
        string[] paths = ["/api/v1/models", "/api/v1/models/42/versions", "/health/ready", "/api/v1/audit?since=2026-11-01", "/metrics"];
        for (int i = 0; i < lines; i++)
        {
            string time = $"2026-11-27T10:{random.Next(60):00}:{random.Next(60):00}.{random.Next(1000):000}Z";
            string requestId = random.NextInt64().ToString("x16", CultureInfo.InvariantCulture)[..(8 + random.Next(8))];
            switch (random.Next(10))
            {
                case 0:
                    text.Append($"{time} INFO  [auth] login ok user={emails[random.Next(emails.Length)]} ip=10.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)} req={requestId}");
                    break;
                case 1:
                    text.Append($"{time} WARN  [payments] card {cards[random.Next(cards.Length)]} declined for customer {names[random.Next(names.Length)]} amount={random.Next(10, 999)}.{random.Next(100):00} EUR");
                    break;
                case 2 when random.Next(2) == 0:
                    text.Append($"{time} INFO  [notify] sms sent to +44 7700 900{random.Next(1000):000} template=otp latency={random.Next(5, 400)}ms");
                    break;
                case 3:
                    text.Append($"{time} DEBUG [db] query took {random.Next(1, 90)}ms rows={random.Next(0, 5000)} plan=index_scan table=model_versions");
                    break;
                case 4:
                    text.Append($"{time} ERROR [worker-{random.Next(8)}] job {requestId} failed after {random.Next(1, 5)} attempts: timeout waiting for lock on key {random.Next():x}");
                    break;
                default:
                    text.Append($"{time} INFO  [http-{random.Next(32)}] GET {paths[random.Next(paths.Length)]} 200 {random.Next(1, 250)}ms bytes={random.Next(200, 90000)} req={requestId} ua=\"Mozilla/5.0 (X11; Linux x86_64)\"");
                    break;
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
