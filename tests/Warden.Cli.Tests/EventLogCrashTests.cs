using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Warden.Client;
using Warden.Contracts;

namespace Warden.Cli.Tests;

/// <summary>Durability of the event log: a child `warden serve` process is killed with SIGKILL in the middle of ingesting
/// feedback from several concurrent clients; after a restart on the same data folder, every event that was acknowledged
/// before the kill is still there (re-posting it is answered as a duplicate, which the server can only know from the log).</summary>
public sealed class EventLogCrashTests
{
    [Fact]
    public async Task No_acknowledged_event_is_lost_when_the_server_is_killed_mid_ingest()
    {
        var data = Path.Combine(Path.GetTempPath(), "warden-crash-" + Guid.NewGuid().ToString("N"));
        var key = Warden.Server.Access.ApiKeyService.NewSecret();
        var acknowledged = new ConcurrentBag<string>();
        var failedAfterKill = 0;
        try
        {
            var (server, url) = await StartServerAsync(data, key);
            using (server)
            {
                using var stop = new CancellationTokenSource();
                var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
                {
                    using var client = new WardenClient(url, key);
                    for (var batch = 0; !stop.IsCancellationRequested; batch++)
                    {
                        var events = Enumerable.Range(0, 50).Select(i => new IngestEvent("feedback", EventId: $"c{c}-b{batch}-e{i}", RequestId: $"r{c}-{batch}-{i}", Label: i % 2))
                            .ToList();
                        try
                        {
                            var result = await client.IngestEventsAsync(events);
                            Assert.Equal(50, result.Accepted);
                            foreach (var e in events)
                            {
                                acknowledged.Add(e.EventId!);
                            }
                        }
                        catch (Exception e) when (e is HttpRequestException or WardenApiException or TaskCanceledException or IOException)
                        {
                            Interlocked.Increment(ref failedAfterKill);
                            return;
                        }
                    }
                })).ToArray();

                // Let the clients get going, then kill the server without warning while requests are in flight.
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (acknowledged.Count < 2_000 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                }

                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
                await stop.CancelAsync();
                await Task.WhenAll(clients);
            }

            Assert.True(acknowledged.Count >= 2_000, $"only {acknowledged.Count} events were acknowledged before the kill");

            var (restarted, url2) = await StartServerAsync(data, key);
            using (restarted)
            {
                try
                {
                    using var client = new WardenClient(url2, key);
                    var ids = acknowledged.ToList();
                    var duplicates = 0;
                    foreach (var chunk in ids.Chunk(1_000))
                    {
                        var again = await client.IngestEventsAsync(chunk.Select(id => new IngestEvent("feedback", EventId: id, RequestId: "again", Label: 1)).ToList());
                        duplicates += again.Duplicates;
                        Assert.Equal(0, again.Accepted);
                    }

                    Assert.Equal(ids.Count, duplicates);
                }
                finally
                {
                    restarted.Kill(entireProcessTree: true);
                    await restarted.WaitForExitAsync();
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<(Process Server, Uri Url)> StartServerAsync(string data, string key)
    {
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        var cli = Path.Combine(AppContext.BaseDirectory, "warden.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "exec", cli, "serve", "--urls", $"http://127.0.0.1:{port}", "--data", data },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Warden__BootstrapKey"] = key;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"the server exited with {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                using var ready = await http.GetAsync("health/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return (process, url);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException("the child server did not become ready in 90 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
