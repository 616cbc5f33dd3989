using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warden.Contracts;
using Warden.Server.Platform;
using Warden.Server.Serving;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Online serving behaviour: hot swap under load with zero failed requests, canary splits sticky by unit id,
/// shadow traffic, unloading on retirement, back-pressure and metrics.</summary>
public sealed class ServingTests
{
    private static readonly UploadVersionMetadata Numeric = GermanCredit.NumericPublic;

    private static readonly Dictionary<string, double> Record = GermanCredit.NumericColumns.ToDictionary(c => c, c => c == "Age" ? 35.0 : 2.0);

    private static async Task<(WardenTestHost Host, Team Team, HttpClient Http)> ServedAsync(IDictionary<string, string?>? settings = null)
    {
        var host = await WardenTestHost.StartAsync(settings: settings);
        var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedAsync(team, "credit", GermanCredit.OnnxModel, "v1.onnx", Numeric);
        await RegistryScenario.ApprovedAsync(team, "credit", File.ReadAllBytes(GermanCredit.Fixture("german_credit_logreg_v2.onnx")), "v2.onnx", Numeric, "challenger");
        var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);
        return (host, team, http);
    }

    [Fact]
    public async Task Promoting_and_rolling_back_under_load_fails_no_request()
    {
        // Four clients in a tight loop outrun the default per-key rate limit (1,000/s, burst 2,000) on a fast path; the
        // limiter has its own tests, this one is about the swap.
        var (host, team, http) = await ServedAsync(new Dictionary<string, string?>
        {
            ["Warden:RateLimit:PerKeyPerSecond"] = "1000000",
            ["Warden:RateLimit:PerKeyBurst"] = "1000000",
        });
        await using var _ = host;
        using var __ = team;
        using var ___ = http;
        var versions = new System.Collections.Concurrent.ConcurrentBag<int>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.PostAsJsonAsync("/api/v1/predict/credit", Record);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    continue;
                }

                versions.Add((await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Version);
            }
        })).ToList();

        await Task.Delay(300);
        await team.Operator.PromoteAsync("credit", "champion", 2, "canary graduated");
        await Task.Delay(300);
        await team.Operator.RollbackAsync("credit", "champion", "back to v1");
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.Contains(1, versions);
        Assert.Contains(2, versions);
        Assert.True(versions.Count > 50, $"only {versions.Count} requests ran");
        using var after = await http.PostAsJsonAsync("/api/v1/predict/credit", Record);
        Assert.Equal(1, (await after.Content.ReadFromJsonAsync<PredictionResponse>())!.Version);
    }

    [Fact]
    public async Task A_canary_split_is_sticky_by_unit_and_shadows_never_answer()
    {
        var (host, team, http) = await ServedAsync();
        await using var _ = host;
        using var __ = team;
        using var ___ = http;
        await team.Operator.SetTrafficAsync("credit", new TrafficPolicy([new TrafficRoute("champion", 50), new TrafficRoute("challenger", 50)], []));

        var byUnit = new Dictionary<string, HashSet<int>>();
        for (var u = 0; u < 60; u++)
        {
            for (var repeat = 0; repeat < 3; repeat++)
            {
                using var response = await http.PostAsJsonAsync("/api/v1/predict/credit", new { records = new[] { Record }, unitId = $"customer-{u}" });
                var answer = (await response.Content.ReadFromJsonAsync<PredictionResponse>())!;
                (byUnit.TryGetValue($"customer-{u}", out var set) ? set : byUnit[$"customer-{u}"] = []).Add(answer.Version);
            }
        }

        Assert.All(byUnit.Values, s => Assert.Single(s)); // sticky
        var onTwo = byUnit.Values.Count(s => s.Contains(2));
        Assert.InRange(onTwo, 15, 45); // about half

        await team.Operator.SetTrafficAsync("credit", new TrafficPolicy([new TrafficRoute("champion", 100)], ["challenger"]));
        for (var i = 0; i < 10; i++)
        {
            using var response = await http.PostAsJsonAsync("/api/v1/predict/credit", Record);
            Assert.Equal(1, (await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Version);
        }

        var events = host.App.Services.GetRequiredService<EventLog>();
        PredictionEvent[] stored = [];
        for (var attempt = 0; attempt < 50 && !stored.Any(e => e.Shadow); attempt++)
        {
            await Task.Delay(50);
            await events.FlushAsync();
            var list = new List<PredictionEvent>();
            await foreach (var e in events.ReadAllAsync())
            {
                list.Add(e);
            }

            stored = [.. list];
        }

        Assert.Contains(stored, e => e.Shadow && e.Version == 2 && e.Alias == "challenger");
        Assert.All(stored.Where(e => e.Shadow), e => Assert.Contains(stored, p => !p.Shadow && p.RequestId == e.RequestId && p.Version == 1));
    }

    [Fact]
    public async Task Retiring_the_champion_unloads_it_and_stops_serving()
    {
        var (host, team, http) = await ServedAsync();
        await using var _ = host;
        using var __ = team;
        using var ___ = http;
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/v1/predict/credit", Record)).StatusCode);
        Assert.Contains(await team.Validator.ListDeploymentsAsync(), d => d.Alias == "champion" && d.Version == 1);
        await team.Operator.RetireVersionAsync("credit", 1, "withdrawn");
        using var response = await http.PostAsJsonAsync("/api/v1/predict/credit", Record);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(await team.Validator.ListDeploymentsAsync(), d => d.Version == 1);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_and_metrics_follow_triton_semantics()
    {
        var (host, team, http) = await ServedAsync(new Dictionary<string, string?>
        {
            ["Warden:Serving:QueueCapacity"] = "2",
            ["Warden:Serving:ConcurrencyPerVersion"] = "1",
            ["Warden:Serving:MaxQueueDelayMicroseconds"] = "200000",
            ["Warden:Serving:MaxBatchSize"] = "1000",
        });
        await using var _ = host;
        using var __ = team;
        using var ___ = http;
        var many = Enumerable.Range(0, 40).Select(_ => http.PostAsJsonAsync("/api/v1/predict/credit", Record)).ToList();
        var responses = await Task.WhenAll(many);
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));

        string metrics = "";
        for (var i = 0; i < 20 && !metrics.Contains("warden_inference_batch_size", StringComparison.Ordinal); i++)
        {
            await Task.Delay(150);
            metrics = await host.Http().GetStringAsync("/metrics");
        }

        Assert.Contains("warden_inference_requests_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"queue_full\"", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"success\"", metrics, StringComparison.Ordinal);
        Assert.Contains("warden_inference_request_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("warden_inference_compute_duration_seconds", metrics, StringComparison.Ordinal);
        Assert.Contains("warden_inference_queue_duration_seconds", metrics, StringComparison.Ordinal);
        Assert.Contains("warden_inference_loaded_versions", metrics, StringComparison.Ordinal);
        // Every request has finished: the in-flight gauge for the model is back to zero.
        Assert.Matches(new System.Text.RegularExpressions.Regex("warden_inference_inflight[a-z_]*\\{[^}]*model=\"credit\"[^}]*\\} 0( |$)",
            System.Text.RegularExpressions.RegexOptions.Multiline), metrics);
    }
}

/// <summary>Per-deployment serving settings.</summary>
public sealed class ServingOptionsTests
{
    [Fact]
    public void A_deployment_overrides_only_what_it_names()
    {
        var options = new ServingOptions { MaxBatchSize = 64, IntraOpThreads = 1 };
        options.Models["credit"] = new DeploymentOverrides { IntraOpThreads = 4, QueueCapacity = 10 };
        var credit = options.For("credit");
        Assert.Equal((4, 10, 64), (credit.IntraOpThreads, credit.QueueCapacity, credit.MaxBatchSize));
        Assert.Same(options, options.For("other"));
    }
}

/// <summary>A version whose artifact cannot be loaded is reported and not served.</summary>
public sealed class FailedLoadTests
{
    [Fact]
    public async Task A_tampered_champion_is_not_served_and_the_answer_is_clear()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        var numeric = new UploadVersionMetadata(Features: GermanCredit.NumericColumns.Select(c => new FeatureSpec(c, FeatureKinds.Numeric, "float32")).ToList());
        await RegistryScenario.ApprovedAsync(team, "credit", GermanCredit.OnnxModel, "v1.onnx", numeric);
        var sha = (await team.Validator.GetVersionAsync("credit", 1)).ArtifactSha256;
        var path = Path.Combine(host.DataDirectory, "artifacts", sha[..2], sha[2..4], sha);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^3] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", team.Secrets["developer"]);
        using var response = await http.PostAsJsonAsync("/api/v1/predict/credit", GermanCredit.NumericColumns.ToDictionary(c => c, _ => 1.0));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // never served, never a 500
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/v2/models/credit/ready")).StatusCode);
    }
}

/// <summary>Records are validated against the signature whatever the order of their fields.</summary>
public sealed class RecordValidationTests
{
    private static readonly ModelSignature Signature = new("onnx", [], [],
        [new FeatureSpec("Age", FeatureKinds.Numeric, "float32"), new FeatureSpec("Purpose", FeatureKinds.Categorical, "string")]);

    private static List<string[]> Rows(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return PredictionService.ToRows([document.RootElement], Signature, new Dictionary<string, int> { ["Age"] = 0, ["Purpose"] = 1 });
    }

    [Fact]
    public void Fields_in_any_order_land_in_model_order()
    {
        Assert.Equal(["35", "car"], Rows("""{"Age": 35, "Purpose": "car"}""")[0]);
        Assert.Equal(["35.5", "car"], Rows("""{"Purpose": "car", "Age": 35.5}""")[0]);
    }

    [Theory]
    [InlineData("""{"Age": 35, "Age": 36, "Purpose": "car"}""", "records[0].Age", "appears twice")]
    [InlineData("""{"Age": 35, "Age": 36}""", "records[0].Age", "appears twice")]
    [InlineData("""{"Age": 35, "Colour": "red"}""", "records[0].Colour", "is not a feature")]
    [InlineData("""{"Purpose": "car"}""", "records[0].Age", "is missing")]
    [InlineData("""{"Age": "old", "Purpose": "car"}""", "records[0].Age", "expected numeric")]
    public void A_wrong_record_is_a_400_naming_the_field(string json, string field, string message)
    {
        var problem = Assert.Throws<WardenProblemException>(() => Rows(json));
        Assert.Equal(400, problem.Status);
        Assert.Contains(message, Assert.Single(problem.Errors![field]), StringComparison.Ordinal);
    }
}

/// <summary>The prediction response is written by hand into the response pipe; it must be exactly what the API's JSON
/// serializer would write.</summary>
public sealed class PredictionResultTests
{
    // As ProblemDetailsSetup configures the HTTP API's serializer.
    private static readonly JsonSerializerOptions ApiOptions = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static TheoryData<PredictionResponse> Responses => new()
    {
        new PredictionResponse("credit", 3, "champion", "req_0123", [new RecordPrediction(true, 0.83), new RecordPrediction(false, 0.16995590925216675)]),
        new PredictionResponse("house-prices", 12, "challenger", "req_x", [new RecordPrediction(123456.789, null), new RecordPrediction(-0.0, null)]),
        new PredictionResponse("odd \"names\" é <tag>", 1, "canary/β", "req_\u0001", [new RecordPrediction(double.NaN, double.PositiveInfinity)]),
        new PredictionResponse("m", 1, "a", "r", [new RecordPrediction(1e-300, 5e-324), new RecordPrediction(double.NegativeInfinity, 1.0)]),
        new PredictionResponse("m", 1, "a", "r", [new RecordPrediction("label-a", 0.5), new RecordPrediction(7, 0.25)]),
        new PredictionResponse("m", 1, "a", "r", []),
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void The_hand_written_response_equals_the_serializers(PredictionResponse response)
    {
        var expected = JsonSerializer.Serialize(response, ApiOptions);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            PredictionResult.Write(writer, response);
        }

        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public async Task The_result_sets_status_and_content_type_and_writes_the_body()
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        var response = new PredictionResponse("credit", 1, "champion", "req_1", [new RecordPrediction(true, 0.9)]);
        await new PredictionResult(response).ExecuteAsync(context);
        await context.Response.CompleteAsync(); // what the server does when the request ends
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.Equal(body.Length, context.Response.ContentLength); // a Content-Length, not chunked framing
        var parsed = JsonSerializer.Deserialize<PredictionResponse>(body.ToArray(), ApiOptions);
        Assert.Equal("req_1", parsed!.RequestId);
        Assert.Equal(0.9, parsed.Predictions[0].Probability);
    }
}
