using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

// Open-loop, fixed-rate HTTP load generator for bench/serving (the wrk2 idea: requests leave on a schedule whether or
// not earlier ones have been answered, so a slow server cannot slow the load down and hide its own latency).
//
//   dotnet LoadGen.dll --url http://127.0.0.1:5100/api/v1/predict/serving-bench --body body-tabular.json \
//       --rate 5000 --duration 10 [--warmup 3] [--connections 32] [--header "Authorization: Bearer wdn_…"]
//
// A dispatcher thread wakes about every millisecond and hands every request whose scheduled time has come (at 5,000
// req/s, bursts of about five) to the connections. Each connection is a plain keep-alive HTTP/1.1 socket that writes the
// prepared request bytes and reads the response (Content-Length or chunked) — a few microseconds of client CPU per
// request instead of HttpClient's tens, because the generator shares the machine's cores with the server it measures.
// Each request's latency is measured from the moment it is handed over to the moment its response has been read;
// requests wait for a free connection when all are busy, and that wait counts. The same latency measured from the
// *scheduled* time (which adds the dispatcher's own lateness) is reported as "from schedule". The last line is
// machine-readable: RESULT key=value ….
var options = Options.Parse(args);
var body = File.ReadAllBytes(options.BodyFile);
var url = new Uri(options.Url);
var requestBytes = RawHttp.Request(url, body, options.Headers);
var endpoint = new IPEndPoint(Dns.GetHostAddresses(url.Host)[0], url.Port);

// Sanity request first: the run is refused when the target does not answer 2xx.
await using (var first = await RawHttp.ConnectAsync(endpoint))
{
    var (status, text) = await first.SendAsync(requestBytes);
    if (status is < 200 or > 299)
    {
        await Console.Error.WriteLineAsync($"loadgen: {url} answered {status}: {text}");
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

async Task<Run> RunAsync(double rate, int seconds)
{
    var total = (int)Math.Ceiling(rate * seconds);
    var result = new Run(total);
    var period = Stopwatch.Frequency / rate;
    var queue = System.Threading.Channels.Channel.CreateUnbounded<(int Index, long Scheduled, long Handed)>(
        new System.Threading.Channels.UnboundedChannelOptions { SingleWriter = true });
    var connections = new List<RawHttp>();
    for (var c = 0; c < options.Connections; c++)
    {
        connections.Add(await RawHttp.ConnectAsync(endpoint));
    }

    var workers = connections.Select(connection => Task.Run(async () =>
    {
        await foreach (var (index, scheduledAt, handedAt) in queue.Reader.ReadAllAsync())
        {
            try
            {
                var (status, _) = await connection.SendAsync(requestBytes);
                var done = Stopwatch.GetTimestamp();
                if (status is >= 200 and <= 299)
                {
                    result.Record(index, done - handedAt, done - scheduledAt, done);
                }
                else
                {
                    result.Fail(done);
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException)
            {
                result.Fail(Stopwatch.GetTimestamp());
                await connection.ReconnectAsync();
            }
        }
    })).ToList();
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
                queue.Writer.TryWrite((next, start + (long)(next * period), now));
                next++;
            }

            Thread.Sleep(1);
        }

        queue.Writer.Complete();
    }) { IsBackground = true, Name = "loadgen-dispatcher", Priority = ThreadPriority.AboveNormal };
    dispatcher.Start();
    await Task.Run(dispatcher.Join);
    // Give the last requests up to 10 s to finish; whatever has not is counted as unfinished.
    await Task.WhenAny(Task.WhenAll(workers), Task.Delay(TimeSpan.FromSeconds(11)));
    foreach (var connection in connections)
    {
        await connection.DisposeAsync();
    }

    result.Elapsed = Stopwatch.GetElapsedTime(result.Start, result.LastCompletion);
    return result;
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

/// <summary>One keep-alive HTTP/1.1 connection that sends prepared request bytes and reads whole responses.</summary>
internal sealed class RawHttp : IAsyncDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private Socket _socket;
    private int _start;
    private int _end;

    private RawHttp(IPEndPoint endpoint, Socket socket)
    {
        _endpoint = endpoint;
        _socket = socket;
    }

    public static byte[] Request(Uri url, byte[] body, IReadOnlyList<(string Name, string Value)> headers)
    {
        var head = new StringBuilder();
        head.Append("POST ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\nHost: ").Append(url.Authority)
            .Append("\r\nContent-Type: application/json\r\nContent-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    public static async Task<RawHttp> ConnectAsync(IPEndPoint endpoint) => new(endpoint, await OpenAsync(endpoint));

    private static async Task<Socket> OpenAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        return socket;
    }

    public async Task ReconnectAsync()
    {
        _socket.Dispose();
        _start = _end = 0;
        _socket = await OpenAsync(_endpoint);
    }

    /// <summary>Sends one request and reads its response: the status code and, for the sanity check, the body text.</summary>
    public async Task<(int Status, string Body)> SendAsync(byte[] request)
    {
        await _socket.SendAsync(request, SocketFlags.None);
        // Status line and headers.
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync();
        }

        var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd);
        _start += headerEnd + 4;
        var status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
        var length = -1;
        var chunked = false;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line.AsSpan(15).Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }

        var body = new StringBuilder();
        if (chunked)
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
                {
                    await FillAsync();
                }

                var size = int.Parse(Encoding.ASCII.GetString(_buffer, _start, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                _start += lineEnd + 2;
                await ReadBodyAsync(size + 2, status < 200 || status > 299 ? body : null); // the chunk and its CRLF
                if (size == 0)
                {
                    break;
                }
            }
        }
        else if (length > 0)
        {
            await ReadBodyAsync(length, status < 200 || status > 299 ? body : null);
        }
        else if (length < 0)
        {
            throw new InvalidDataException("a response without Content-Length or chunked encoding");
        }

        return (status, body.ToString());
    }

    private async Task ReadBodyAsync(int count, StringBuilder? keep)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                await FillAsync();
            }

            var take = Math.Min(count, _end - _start);
            keep?.Append(Encoding.UTF8.GetString(_buffer, _start, take));
            _start += take;
            count -= take;
        }
    }

    private async Task FillAsync()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        _end += read;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
