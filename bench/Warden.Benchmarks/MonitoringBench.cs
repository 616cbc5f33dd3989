using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Warden.Client;
using Warden.Contracts;
using Warden.Server;
using Warden.Server.Access;
using Warden.Server.Monitoring;

namespace Warden.Benchmarks;

/// <summary>Monitoring throughput and memory, in one run on an in-process server (SQLite, data in a temp folder):
/// (1) events/s through validation, the privacy policy, the durable event log (group commit + fsync) and profiling, with
///     20 numeric features, calling the ingestor in-process in batches of 10,000 (no HTTP);
/// (2) the same over HTTP: POST /api/v1/events with JSON-lines bodies of 5,000 events from 4 concurrent clients
///     (bench/monitoring/run.sh also drives it with wrk);
/// (3) managed heap per monitored version with 1,000 versions, each with one window of 2,000 profiled predictions and
///     500 joined labels, and the cost of each further window.
/// Run: dotnet run -c Release --project bench/Warden.Benchmarks -- monitoring [events] [--serve SECONDS | --memory | --pipeline-only] [--full-precision]</summary>
public static class MonitoringBench
{
    private const int Features = 20;

    private static bool FullPrecision { get; set; }

    public static async Task RunAsync(string[] args)
    {
        FullPrecision = args.Contains("--full-precision");
        var total = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 500_000;
        var serveSeconds = Array.IndexOf(args, "--serve") is var s and >= 0 && s + 1 < args.Length ? int.Parse(args[s + 1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        var data = Path.Combine(Path.GetTempPath(), "warden-bench-monitoring-" + Guid.NewGuid().ToString("N"));
        var key = ApiKeyService.NewSecret();
        var port = Environment.GetEnvironmentVariable("WARDEN_PORT") ?? "5110";
        await using var app = WardenApp.Create([$"--urls=http://127.0.0.1:{port}", $"--Warden:DataDirectory={data}", $"--Warden:BootstrapKey={key}",
            "--Logging:LogLevel:Default=Warning", "--Warden:RateLimit:Enabled=false"]);
        await app.StartAsync();
        var url = new Uri($"http://127.0.0.1:{port}/");
        using var client = new WardenClient(url, key);
        await RegisterAsync(client, "bench-20");
        Console.WriteLine($"server up on {url}, data in {data}");

        if (serveSeconds > 0)
        {
            // For bench/monitoring/run.sh: print the key, then serve while wrk runs.
            Console.WriteLine($"KEY={key}");
            await Task.Delay(TimeSpan.FromSeconds(serveSeconds));
            return;
        }

        if (args.Contains("--memory"))
        {
            await MemoryAsync(app, client);
            await app.StopAsync();
            return;
        }

        var ingestor = app.Services.GetRequiredService<EventIngestor>();
        var random = new Random(20261127);
        // In-process, logging + profiling: what a served or already-validated prediction costs — profiled into its window and
        // indexed for its label, then made durable in the event log (group commit, fsync) — in batches of 10,000.
        var features = Enumerable.Range(0, Features).Select(i => new FeatureSpec($"f{i}", FeatureKinds.Numeric, "float32")).ToList();
        var monitoring = app.Services.GetRequiredService<MonitoringService>();
        var log = app.Services.GetRequiredService<Warden.Server.Serving.EventLog>();
        // A pool of 10 prepared batches (100,000 distinct rows), each timed batch a fresh copy of one of them with its own
        // event and request ids: preparing every batch up front would keep ~2 KB per event of the harness's own data alive,
        // which the collector would then have to walk throughout the run (a cost of the harness, not of Warden). Creating
        // each event (ids and record) happens in the timed loop, as it does in a server.
        var pool = Enumerable.Range(0, 10).Select(b => Prepared(random, $"pool-{b}", 10_000)).ToList();
        var batchCount = total / 10_000;
        // Warm-up: five batches, so that the hot methods are at their final JIT tier (as in a server that has been up a
        // while) before the clock starts.
        for (var w = 0; w < 5; w++)
        {
            await PipelineAsync(monitoring, log, features, Renamed(pool[w], $"pipe-warm-{w}"));
        }
        if (Environment.GetEnvironmentVariable("BENCH_TRACE") == "1")
        {
            var extra = Enumerable.Range(0, 5).Select(b => Prepared(random, $"trace-{b}", 10_000)).ToList();
            var c0 = Cpu();
            foreach (var b in extra)
            {
                await monitoring.ObserveAsync("bench-20", 1, features, b.Rows, b.Scores, b.Id, null);
            }

            var c1 = Cpu();
            foreach (var b in extra)
            {
                await log.AppendDurableAsync(b.Events);
            }

            var c2 = Cpu();
            Console.WriteLine($"observe only: {50_000 / (c1 - c0):N0} events per CPU-second; log only: {50_000 / (c2 - c1):N0} events per CPU-second");
        }

        // Two producers (one per core), as concurrent requests would: one profiles while the log's writer seals and syncs.
        Console.WriteLine("pipeline starts");
        using var sampler = Environment.GetEnvironmentVariable("BENCH_ALLOC") == "1" ? new AllocationSampler() : null;
        if (sampler is not null)
        {
            sampler.Recording = true;
        }

        var (allocated, gen0, gen1, gen2, paused) = (GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var pipeline = Stopwatch.StartNew();
        var cpu = Cpu();
        var nextBatch = -1;
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            int b;
            while ((b = Interlocked.Increment(ref nextBatch)) < batchCount)
            {
                await PipelineAsync(monitoring, log, features, Renamed(pool[b % pool.Count], $"pipe-{b}"));
            }
        })));

        var logged = batchCount * 10_000;
        if (sampler is not null)
        {
            sampler.Recording = false;
            sampler.Print(logged);
        }
        if (Environment.GetEnvironmentVariable("BENCH_TRACE") == "1")
        {
            Console.WriteLine($"GC during the pipeline: {(GC.GetTotalAllocatedBytes() - allocated) / (double)logged:N0} B allocated per event, " +
                $"collections gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, pauses {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:N0} ms");
        }

        Console.WriteLine($"| in-process logging + profiling (window profiles, label index, durable log), batches of 10,000, 2 producers | {logged:N0} events | {pipeline.Elapsed.TotalSeconds:0.00} s | {logged / pipeline.Elapsed.TotalSeconds:N0} events/s | {logged / (Cpu() - cpu):N0} |");
        pool.Clear();
        if (args.Contains("--pipeline-only"))
        {
            await app.StopAsync();
            return;
        }

        // In-process, full ingest: the same JSON-lines bytes the HTTP path receives, parsed, validated, stored and profiled, without HTTP.
        var batches = Enumerable.Range(0, total / 10_000).Select(b => Lines(random, $"inproc-{b}", 10_000)).ToList();
        for (var i = 0; i < 2; i++)
        {
            await ingestor.IngestAsync(EventIngestor.Parse(Lines(random, $"warm-{i}", 10_000), jsonLines: true), "bench", CancellationToken.None); // JIT, caches
        }

        if (Environment.GetEnvironmentVariable("BENCH_TRACE") == "1")
        {
            var parseCpu = Cpu();
            var parsed = 0;
            foreach (var batch in batches)
            {
                parsed += EventIngestor.Parse(batch, jsonLines: true).Count;
            }

            Console.WriteLine($"parse only: {parsed / (Cpu() - parseCpu):N0} events per CPU-second");
        }

        using var ingestSampler = Environment.GetEnvironmentVariable("BENCH_ALLOC") == "1" ? new AllocationSampler { Recording = true } : null;
        var ingestAllocated = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        cpu = Cpu();
        long accepted = 0;
        var nextIngest = -1;
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            int b;
            while ((b = Interlocked.Increment(ref nextIngest)) < batches.Count)
            {
                var result = await ingestor.IngestAsync(EventIngestor.Parse(batches[b], jsonLines: true), "bench", CancellationToken.None);
                Interlocked.Add(ref accepted, result.Accepted);
            }
        })));

        var inProcess = accepted / clock.Elapsed.TotalSeconds;
        if (ingestSampler is not null)
        {
            ingestSampler.Recording = false;
            Console.WriteLine($"ingest: {(GC.GetTotalAllocatedBytes() - ingestAllocated) / (double)accepted:N0} B allocated per event");
            ingestSampler.Print(accepted);
        }

        Console.WriteLine($"| in-process ingest (parse + validate + policy + durable log + profile), JSON lines of 10,000, 2 producers | {accepted:N0} events | {clock.Elapsed.TotalSeconds:0.00} s | {inProcess:N0} events/s | {accepted / (Cpu() - cpu):N0} |");

        // HTTP: JSON lines bodies prepared up front so the client's cost is only sending.
        var bodies = Enumerable.Range(0, total / 5_000).Select(b => Lines(random, $"http-{b}", 5_000)).ToList();
        var next = -1;
        long httpAccepted = 0;
        clock.Restart();
        cpu = Cpu();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var http = new HttpClient { BaseAddress = url };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
                using var response = await http.PostAsync("api/v1/events", content);
                response.EnsureSuccessStatusCode();
                var result = await response.Content.ReadFromJsonAsync<IngestResult>(JsonSerializerOptions.Web);
                Interlocked.Add(ref httpAccepted, result!.Accepted);
            }
        }));
        var overHttp = httpAccepted / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"| HTTP ingest, JSON lines of 5,000 events, 4 clients (client in the same process) | {httpAccepted:N0} events | {clock.Elapsed.TotalSeconds:0.00} s | {overHttp:N0} events/s | {httpAccepted / (Cpu() - cpu):N0} |");
        await app.StopAsync();
    }

    private static async Task MemoryAsync(WebApplication app, WardenClient client)
    {
        const int Versions = 1_000;
        var monitoring = app.Services.GetRequiredService<MonitoringService>();
        for (var m = 0; m < Versions; m++)
        {
            await RegisterAsync(client, $"mem-{m:D4}", reference: false);
        }

        var features = Enumerable.Range(0, Features).Select(i => new FeatureSpec($"f{i}", FeatureKinds.Numeric, "float32")).ToList();
        var random = new Random(5);
        string[] Row() => Enumerable.Range(0, Features).Select(_ => (random.NextDouble() * 4 - 2).ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        // A: one window per version of 2,000 predictions (enough to fill every sketch), profiled only.
        var before = Heap();
        for (var m = 0; m < Versions; m++)
        {
            for (var r = 0; r < 2_000; r += 100)
            {
                var rows = Enumerable.Range(0, 100).Select(_ => Row()).ToList();
                await monitoring.ObserveAsync($"mem-{m:D4}", 1, features, rows, rows.Select(_ => random.NextDouble()).ToList());
            }
        }

        var profiles = (Heap() - before) / (double)Versions;

        // B: 500 more predictions per version waiting in the label-join index, and 250 of them labelled.
        before = Heap();
        for (var m = 0; m < Versions; m++)
        {
            var model = $"mem-{m:D4}";
            for (var r = 0; r < 500; r += 100)
            {
                var rows = Enumerable.Range(0, 100).Select(_ => Row()).ToList();
                await monitoring.ObserveAsync(model, 1, features, rows, rows.Select(_ => random.NextDouble()).ToList(), $"{model}-{r}", null);
            }

            for (var r = 0; r < 250; r++)
            {
                await monitoring.ApplyFeedbackAsync(new FeedbackEvent($"{model}-f{r}", DateTimeOffset.UtcNow, model, $"{model}-{r / 100 * 100}/{r % 100}", null, r % 2, null),
                    CancellationToken.None);
            }
        }

        var joined = (Heap() - before) / (double)Versions;
        Console.WriteLine($"| memory per monitored version, 1,000 versions × one window of 2,000 predictions (20 features, sketches full) | | | {profiles / 1024:N0} KiB |");
        Console.WriteLine($"| + 500 predictions waiting for labels in the join index and 250 labels joined, per version | | | {joined / 1024:N0} KiB ({joined / 500:N0} B per waiting prediction) |");

        // C: as online serving makes them: 200 more single-record requests per version, each under its own Warden request id.
        before = Heap();
        for (var m = 0; m < Versions; m++)
        {
            var model = $"mem-{m:D4}";
            for (var r = 0; r < 200; r++)
            {
                List<string[]> rows = [Row()];
                await monitoring.ObserveAsync(model, 1, features, rows, [random.NextDouble()], Warden.Server.Platform.RequestIdMiddleware.NewId(), null);
            }
        }

        var single = (Heap() - before) / (double)Versions;
        Console.WriteLine($"| + 200 single-record requests waiting for labels, each under its own Warden request id, per version | | | {single / 1024:N0} KiB ({single / 200:N0} B per waiting prediction) |");
        GC.KeepAlive(monitoring);
    }

    private sealed record PreparedBatch(string Id, List<string[]> Rows, List<double> Scores, List<Warden.Server.Serving.LoggedEvent> Events);

    private static PreparedBatch Prepared(Random random, string id, int count)
    {
        var rows = new List<string[]>(count);
        var scores = new List<double>(count);
        var events = new List<Warden.Server.Serving.LoggedEvent>(count);
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var values = new double[Features];
            for (var f = 0; f < Features; f++)
            {
                // Feature values as data usually carry them (4 decimals); --full-precision logs 17-digit doubles instead.
                values[f] = FullPrecision ? random.NextDouble() * 4 - 2 : Math.Round(random.NextDouble() * 4 - 2, 4);
            }

            rows.Add(Array.ConvertAll(values, v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            var score = random.NextDouble();
            scores.Add(score);
            var inputs = new Dictionary<string, object?>(Features);
            for (var f = 0; f < Features; f++)
            {
                inputs[$"f{f}"] = values[f];
            }

            events.Add(new Warden.Server.Serving.LoggedEvent(new Warden.Server.Serving.PredictionEvent($"{id}-{i}", $"{id}/{i}", "bench-20", 1, "external", at, inputs,
                new Dictionary<string, object?> { ["prediction"] = score }, 0, "bench", null)));
        }

        return new PreparedBatch(id, rows, scores, events);
    }

    // The same rows under new ids: what a new batch of requests with the same feature values would log.
    private static PreparedBatch Renamed(PreparedBatch source, string id)
    {
        var events = new List<Warden.Server.Serving.LoggedEvent>(source.Events.Count);
        for (var i = 0; i < source.Events.Count; i++)
        {
            events.Add(new Warden.Server.Serving.LoggedEvent(source.Events[i].Prediction! with { EventId = $"{id}-{i}", RequestId = $"{id}/{i}" }));
        }

        return source with { Id = id, Events = events };
    }

    private static async Task PipelineAsync(MonitoringService monitoring, Warden.Server.Serving.EventLog log, IReadOnlyList<FeatureSpec> features, PreparedBatch batch)
    {
        var t0 = Stopwatch.GetTimestamp();
        await monitoring.ObserveAsync("bench-20", 1, features, batch.Rows, batch.Scores, batch.Id, null);
        var t1 = Stopwatch.GetTimestamp();
        await log.AppendDurableAsync(batch.Events);
        if (Environment.GetEnvironmentVariable("BENCH_TRACE") == "1")
        {
            Console.WriteLine($"observe {Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds:0} ms, log {Stopwatch.GetElapsedTime(t1).TotalMilliseconds:0} ms");
        }
    }

    // CPU seconds this process has used: events per CPU-second is much less sensitive to other work on a shared machine
    // than events per wall-clock second.
    private static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task RegisterAsync(WardenClient client, string name, bool reference = true)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "serving");
        var metadata = JsonSerializer.Deserialize<UploadVersionMetadata>(await File.ReadAllTextAsync(Path.Combine(folder, "metadata.json")), JsonSerializerOptions.Web)!;
        // Synthetic numeric features: classified public, so stored events keep their values (unclassified features would
        // be pseudonymised with a keyed HMAC per value, the secure default; see docs/benchmarks.md for that cost).
        metadata = metadata with { DataClassification = metadata.Features!.Select(f => new FeatureClassification(f.Name, "public")).ToList() };
        await client.CreateModelAsync(new CreateModelRequest(name, "bench", 3, "20-feature logistic regression"));
        var artifact = await File.ReadAllBytesAsync(Path.Combine(folder, "model.onnx"));
        await client.UploadVersionAsync(name, artifact, "model.onnx", metadata);
        if (reference)
        {
            var random = new Random(11);
            var csv = new StringBuilder(string.Join(',', Enumerable.Range(0, Features).Select(i => $"f{i}")) + "\n");
            for (var r = 0; r < 5_000; r++)
            {
                csv.Append(string.Join(',', Enumerable.Range(0, Features).Select(_ => (random.NextDouble() * 4 - 2).ToString("R", System.Globalization.CultureInfo.InvariantCulture)))).Append('\n');
            }

            await client.SetReferenceAsync(name, 1, Encoding.UTF8.GetBytes(csv.ToString()));
        }
    }

    private static byte[] Lines(Random random, string prefix, int count)
    {
        var text = new StringBuilder(count * 400);
        for (var i = 0; i < count; i++)
        {
            text.Append("{\"type\":\"prediction\",\"eventId\":\"").Append(prefix).Append('-').Append(i).Append("\",\"model\":\"bench-20\",\"version\":1,\"prediction\":")
                .Append(random.NextDouble().ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)).Append(",\"inputs\":{");
            for (var f = 0; f < Features; f++)
            {
                text.Append(f == 0 ? "" : ",").Append("\"f").Append(f).Append("\":").Append((random.NextDouble() * 4 - 2).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture));
            }

            text.Append("}}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
