using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

// Open-loop, fixed-rate HTTP load generator for bench/serving (the wrk2 idea: requests leave on a schedule whether or
// not earlier ones have been answered, so a slow server cannot slow the load down and hide its own latency).
//
//   dotnet LoadGen.dll --url http://127.0.0.1:5100/api/v1/predict/serving-bench --body body-tabular.json \
//       --rate 5000 --duration 10 [--warmup 3] [--connections 32] [--header "Authorization: Bearer wdn_…"]
//
// A dispatcher thread wakes about every millisecond and sends every request whose scheduled time has come (at 5,000
// req/s, bursts of about five). Each request's latency is measured from the moment it is handed to HttpClient to the
// moment its response body has been read; requests queue inside HttpClient when all connections are busy, and that
// wait counts. The same latency measured from the *scheduled* time (which adds the dispatcher's own lateness) is
// reported as "from schedule". The last line is machine-readable: RESULT key=value ….
var options = Options.Parse(args);
var body = File.ReadAllBytes(options.BodyFile);
using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Connections,
    UseProxy = false,
    AutomaticDecompression = DecompressionMethods.None,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
};
using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
var url = new Uri(options.Url);

// Sanity request first: the run is refused when the target does not answer 2xx.
using (var first = await client.SendAsync(NewRequest(), HttpCompletionOption.ResponseContentRead))
{
    if (!first.IsSuccessStatusCode)
    {
        await Console.Error.WriteLineAsync($"loadgen: {url} answered {(int)first.StatusCode}: {await first.Content.ReadAsStringAsync()}");
        return 1;
    }
}

if (options.WarmupSeconds > 0)
{
    var warm = await RunAsync(options.Rate, options.WarmupSeconds);
    Console.WriteLine($"warm-up: {warm.Completed:N0} requests in {options.WarmupSeconds} s");
}

var run = await RunAsync(options.Rate, options.DurationSeconds);
var service = run.Latencies();
var scheduled = run.ScheduledLatencies();
var achieved = run.Completed / run.Elapsed.TotalSeconds;
Console.WriteLine($"target {options.Rate:N0} req/s for {options.DurationSeconds} s over up to {options.Connections} connections: " +
                  $"{run.Completed:N0} answered ({achieved:N0} req/s), {run.Errors:N0} errors, {run.Unfinished:N0} unfinished");
Console.WriteLine($"latency  p50 {Ms(service, 0.50)} ms  p90 {Ms(service, 0.90)} ms  p99 {Ms(service, 0.99)} ms  p99.9 {Ms(service, 0.999)} ms  max {Ms(service, 1.0)} ms");
Console.WriteLine($"from schedule  p50 {Ms(scheduled, 0.50)} ms  p99 {Ms(scheduled, 0.99)} ms  max {Ms(scheduled, 1.0)} ms");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT rate={options.Rate} achieved={achieved:F0} requests={run.Completed} errors={run.Errors} unfinished={run.Unfinished} " +
    $"p50_ms={Ms(service, 0.50)} p90_ms={Ms(service, 0.90)} p99_ms={Ms(service, 0.99)} p999_ms={Ms(service, 0.999)} max_ms={Ms(service, 1.0)} " +
    $"sched_p50_ms={Ms(scheduled, 0.50)} sched_p99_ms={Ms(scheduled, 0.99)}"));
return run.Errors + run.Unfinished > 0 ? 2 : 0;

HttpRequestMessage NewRequest()
{
    var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    foreach (var (name, value) in options.Headers)
    {
        request.Headers.TryAddWithoutValidation(name, value);
    }

    return request;
}

async Task<Run> RunAsync(double rate, int seconds)
{
    var total = (int)Math.Ceiling(rate * seconds);
    var result = new Run(total);
    var period = Stopwatch.Frequency / rate;
    var inFlight = new List<Task>(total);
    var dispatcher = new Thread(() =>
    {
        var start = Stopwatch.GetTimestamp();
        result.Start = start;
        var next = 0;
        while (next < total)
        {
            var now = Stopwatch.GetTimestamp();
            while (next < total && start + (long)(next * period) <= now)
            {
                inFlight.Add(SendAsync(result, next, start + (long)(next * period)));
                next++;
            }

            Thread.Sleep(1);
        }
    }) { IsBackground = true, Name = "loadgen-dispatcher", Priority = ThreadPriority.AboveNormal };
    dispatcher.Start();
    await Task.Run(dispatcher.Join);
    // Give the last requests up to the client timeout to finish; whatever has not is counted as unfinished.
    await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(client.Timeout + TimeSpan.FromSeconds(1)));
    result.Elapsed = Stopwatch.GetElapsedTime(result.Start, result.LastCompletion);
    return result;
}

async Task SendAsync(Run result, int index, long scheduledAt)
{
    var sentAt = Stopwatch.GetTimestamp();
    try
    {
        using var request = NewRequest();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var done = Stopwatch.GetTimestamp();
        if (response.IsSuccessStatusCode)
        {
            result.Record(index, done - sentAt, done - scheduledAt, done);
        }
        else
        {
            result.Fail(done);
        }
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
    {
        result.Fail(Stopwatch.GetTimestamp());
    }
}

static string Ms(long[] sorted, double quantile)
{
    if (sorted.Length == 0)
    {
        return "NaN";
    }

    var rank = (int)Math.Ceiling(quantile * sorted.Length) - 1;
    var ticks = sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    return (ticks * 1000.0 / Stopwatch.Frequency).ToString("F3", CultureInfo.InvariantCulture);
}

/// <summary>The outcome of one timed phase.</summary>
internal sealed class Run(int total)
{
    private readonly long[] _service = new long[total];
    private readonly long[] _scheduled = new long[total];
    private readonly bool[] _ok = new bool[total];
    private int _completed;
    private int _errors;
    private long _lastCompletion;

    public long Start { get; set; }

    public long LastCompletion => Interlocked.Read(ref _lastCompletion);

    public TimeSpan Elapsed { get; set; }

    public int Completed => Volatile.Read(ref _completed);

    public int Errors => Volatile.Read(ref _errors);

    public int Unfinished => total - Completed - Errors;

    public void Record(int index, long service, long scheduled, long at)
    {
        _service[index] = service;
        _scheduled[index] = scheduled;
        Volatile.Write(ref _ok[index], true);
        Interlocked.Increment(ref _completed);
        Touch(at);
    }

    public void Fail(long at)
    {
        Interlocked.Increment(ref _errors);
        Touch(at);
    }

    public long[] Latencies() => Sorted(_service);

    public long[] ScheduledLatencies() => Sorted(_scheduled);

    private long[] Sorted(long[] values)
    {
        var list = new List<long>(Completed);
        for (var i = 0; i < values.Length; i++)
        {
            if (Volatile.Read(ref _ok[i]))
            {
                list.Add(values[i]);
            }
        }

        list.Sort();
        return [.. list];
    }

    private void Touch(long at)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _lastCompletion)) < at && Interlocked.CompareExchange(ref _lastCompletion, at, seen) != seen)
        {
        }
    }
}

/// <summary>Command-line options.</summary>
internal sealed record Options(string Url, string BodyFile, double Rate, int DurationSeconds, int WarmupSeconds, int Connections,
    IReadOnlyList<(string Name, string Value)> Headers)
{
    public static Options Parse(string[] args)
    {
        string? url = null, body = null;
        double rate = 0;
        int duration = 10, warmup = 3, connections = 32;
        var headers = new List<(string, string)>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--url": url = value; break;
                case "--body": body = value; break;
                case "--rate": rate = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--duration": duration = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--connections": connections = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--header":
                    var colon = value.IndexOf(':', StringComparison.Ordinal);
                    headers.Add(colon > 0 ? (value[..colon].Trim(), value[(colon + 1)..].Trim()) : throw new ArgumentException($"--header '{value}': write Name: value"));
                    break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }

            i++;
        }

        if (url is null || body is null || rate <= 0 || duration <= 0 || connections <= 0)
        {
            throw new ArgumentException("usage: LoadGen --url URL --body FILE --rate REQ_PER_S [--duration S] [--warmup S] [--connections N] [--header 'Name: value']");
        }

        return new Options(url, body, rate, duration, warmup, connections, headers);
    }
}
