using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The Open Inference Protocol v2 REST API, tested with the specification's own payloads
/// (kserve/open-inference-protocol, required_api.md: the "mymodel" infer example with input0 UINT32 [2,2] and input1
/// BOOL [3]) against an ONNX model with exactly those tensors (Fixtures/oip_spec_model.onnx).</summary>
public sealed class OipTests : IAsyncLifetime
{
    // Verbatim from the specification's "Inference Request Examples" section.
    private const string SpecRequest = """
        {
          "id" : "42",
          "inputs" : [
            {
              "name" : "input0",
              "shape" : [ 2, 2 ],
              "datatype" : "UINT32",
              "data" : [ 1, 2, 3, 4 ]
            },
            {
              "name" : "input1",
              "shape" : [ 3 ],
              "datatype" : "BOOL",
              "data" : [ true ]
            }
          ],
          "outputs" : [
            {
              "name" : "output0"
            }
          ]
        }
        """;

    private WardenTestHost _host = null!;
    private Team _team = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await WardenTestHost.StartAsync();
        _team = await Team.CreateAsync(_host);
        await RegistryScenario.ApprovedAsync(_team, "mymodel", File.ReadAllBytes(GermanCredit.Fixture("oip_spec_model.onnx")), "spec.onnx");
        await RegistryScenario.ApprovedAsync(_team, "echo", File.ReadAllBytes(GermanCredit.Fixture("oip_datatypes.onnx")), "echo.onnx");
        await _team.Developer.UploadVersionAsync("mymodel", File.ReadAllBytes(GermanCredit.Fixture("oip_datatypes.onnx")), "draft.onnx"); // v2: a draft
        _http = _host.Http();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _team.Secrets["developer"]);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _team.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, string json)
    {
        using var response = await _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static string Corrected(string request) => request.Replace("\"data\" : [ true ]", "\"data\" : [ true, false, true ]", StringComparison.Ordinal);

    [Fact]
    public async Task The_specification_example_is_answered_exactly()
    {
        // The specification's example gives input1 shape [3] but one element; by its own tensor rules that is a 400.
        var (status, body) = await PostAsync("/v2/models/mymodel/infer", SpecRequest);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("input 'input1': shape [3] needs 3 element(s) but \"data\" has 1", body!["error"]!.GetValue<string>(), StringComparison.Ordinal);

        (status, body) = await PostAsync("/v2/models/mymodel/infer", Corrected(SpecRequest));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("mymodel", body!["model_name"]!.GetValue<string>());
        Assert.Equal("1", body["model_version"]!.GetValue<string>());
        Assert.Equal("42", body["id"]!.GetValue<string>());
        var output = body["outputs"]!.AsArray().Single()!;
        Assert.Equal("output0", output["name"]!.GetValue<string>());
        Assert.Equal("FP32", output["datatype"]!.GetValue<string>());
        Assert.Equal([3L, 2L], output["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        Assert.Equal([1f, 2f, 3f, 4f, 1f, 0f], output["data"]!.AsArray().Select(d => d!.GetValue<float>()));

        // Nested data is the same tensor in row-major order (the specification's "Tensor Data" section).
        var nested = Corrected(SpecRequest).Replace("[ 1, 2, 3, 4 ]", "[ [ 1, 2 ], [ 3, 4 ] ]", StringComparison.Ordinal);
        var (nestedStatus, nestedBody) = await PostAsync("/v2/models/mymodel/versions/1/infer", nested);
        Assert.Equal(HttpStatusCode.OK, nestedStatus);
        Assert.Equal(output["data"]!.ToJsonString(), nestedBody!["outputs"]![0]!["data"]!.ToJsonString());
        var (aliasStatus, _) = await PostAsync("/v2/models/mymodel/versions/champion/infer", nested);
        Assert.Equal(HttpStatusCode.OK, aliasStatus);

        // Every inference is an event; tensors are kept as datatype, shape and digest, never raw values.
        var events = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Warden.Server.Serving.EventLog>(_host.App.Services);
        await events.FlushAsync();
        var stored = new List<Warden.Server.Serving.PredictionEvent>();
        await foreach (var e in events.ReadAllAsync())
        {
            stored.Add(e);
        }

        var infer = stored.Where(e => e.Model == "mymodel").ToList();
        Assert.True(infer.Count >= 3);
        var text = JsonSerializer.Serialize(infer[0].Inputs);
        Assert.Contains("sha256", text, StringComparison.Ordinal);
        Assert.Contains("UINT32", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_metadata_and_readiness_follow_the_protocol()
    {
        using var anonymous = _host.Http();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v2")).StatusCode);

        var server = JsonNode.Parse(await _http.GetStringAsync("/v2"))!;
        Assert.Equal("warden", server["name"]!.GetValue<string>());
        Assert.NotNull(server["extensions"]);

        var metadata = JsonNode.Parse(await _http.GetStringAsync("/v2/models/mymodel"))!;
        Assert.Equal("mymodel", metadata["name"]!.GetValue<string>());
        Assert.Equal("onnxruntime_onnx", metadata["platform"]!.GetValue<string>());
        Assert.Equal(["1"], metadata["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        var inputs = metadata["inputs"]!.AsArray();
        Assert.Equal(("input0", "UINT32", "[2,2]"), (inputs[0]!["name"]!.GetValue<string>(), inputs[0]!["datatype"]!.GetValue<string>(), inputs[0]!["shape"]!.ToJsonString()));
        Assert.Equal(("input1", "BOOL"), (inputs[1]!["name"]!.GetValue<string>(), inputs[1]!["datatype"]!.GetValue<string>()));
        Assert.Equal("FP32", metadata["outputs"]![0]!["datatype"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v2/models/mymodel/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v2/models/mymodel/versions/1/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v2/models/mymodel/versions/champion/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync("/v2/models/mymodel/versions/2/ready")).StatusCode); // a draft is never served
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/v2/models/mymodel/versions/9/ready")).StatusCode);
        using var unknown = await _http.GetAsync("/v2/models/nosuchmodel/ready");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("unknown model", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_datatype_onnx_supports_round_trips()
    {
        var values = new Dictionary<string, string>
        {
            ["BOOL"] = "[true,false,false,true]", ["UINT8"] = "[0,255,7,8]", ["UINT16"] = "[0,65535,1,2]", ["UINT32"] = "[0,4294967295,1,2]",
            ["UINT64"] = "[0,18446744073709551615,1,2]", ["INT8"] = "[-128,127,0,1]", ["INT16"] = "[-32768,32767,0,1]", ["INT32"] = "[-2147483648,2147483647,0,1]",
            ["INT64"] = "[-9223372036854775808,9223372036854775807,0,1]", ["FP16"] = "[0.5,-2,1024,0.25]", ["FP32"] = "[1.5,-2.25,3,4]",
            ["FP64"] = "[1.125,-2.5,123456789.0625,4]", ["BYTES"] = "[\"a\",\"béta\",\"\",\"x y\"]",
        };
        var inputs = string.Join(",", values.Select(kv => $"{{\"name\":\"in_{kv.Key.ToLowerInvariant()}\",\"shape\":[2,2],\"datatype\":\"{kv.Key}\",\"data\":{kv.Value}}}"));
        var (status, body) = await PostAsync("/v2/models/echo/infer", $"{{\"inputs\":[{inputs}]}}");
        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        var outputs = body!["outputs"]!.AsArray().ToDictionary(o => o!["datatype"]!.GetValue<string>(), o => o!["data"]!.ToJsonString());
        foreach (var (datatype, data) in values)
        {
            Assert.Equal(JsonNode.Parse(data)!.ToJsonString(), outputs[datatype]);
        }
    }

    [Theory]
    [InlineData("{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},{\"name\":\"input1\",\"shape\":[3],\"datatype\":\"BOOL\",\"data\":[true,true,true]}]}", "datatype FP32 but the model expects UINT32")]
    [InlineData("{\"inputs\":[{\"name\":\"input0\",\"shape\":[4],\"datatype\":\"UINT32\",\"data\":[1,2,3,4]},{\"name\":\"input1\",\"shape\":[3],\"datatype\":\"BOOL\",\"data\":[true,true,true]}]}", "shape [4] but the model expects [2,2]")]
    [InlineData("{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"UINT32\",\"data\":[1,2,3,-4]},{\"name\":\"input1\",\"shape\":[3],\"datatype\":\"BOOL\",\"data\":[true,true,true]}]}", "element 3 (-4) is not a valid UINT32")]
    [InlineData("{\"inputs\":[{\"name\":\"input9\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[true]}]}", "unknown input 'input9'")]
    [InlineData("{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"UINT32\",\"data\":[1,2,3,4]}]}", "input1 are missing")]
    [InlineData("{\"inputs\":[]}", "at least one tensor")]
    [InlineData("{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"COMPLEX\",\"data\":[1,2,3,4]}]}", "datatype 'COMPLEX' is not one of")]
    [InlineData("not json", "not valid JSON")]
    public async Task Bad_inputs_get_400_with_an_error_naming_them(string request, string message)
    {
        var (status, body) = await PostAsync("/v2/models/mymodel/infer", request);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, body!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retiring_the_served_version_stops_every_protocol_route_at_once()
    {
        // Served once by the default route and by alias: from then on the deployment table answers these without the database.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v2/models/mymodel/infer", Corrected(SpecRequest))).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v2/models/mymodel/versions/champion/infer", Corrected(SpecRequest))).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v2/models/mymodel/versions/1/infer", Corrected(SpecRequest))).Status);

        // Each answer's stored event names the version and the alias it was served under — for a version number, the alias
        // that version holds.
        var events = _host.App.Services.GetRequiredService<Serving.EventLog>();
        var stored = new List<Serving.PredictionEvent>();
        for (var attempt = 0; attempt < 50 && stored.Count(e => e.Model == "mymodel") < 3; attempt++)
        {
            // Served predictions are committed in groups a few milliseconds apart.
            await Task.Delay(50);
            await events.FlushAsync();
            stored.Clear();
            await foreach (var e in events.ReadAllAsync())
            {
                stored.Add(e);
            }
        }

        Assert.Equal(3, stored.Count(e => e.Model == "mymodel"));
        Assert.All(stored.Where(e => e.Model == "mymodel"), e => Assert.Equal((1, "champion"), (e.Version, e.Alias)));

        await _team.Operator.RetireVersionAsync("mymodel", 1, "withdrawn");

        foreach (var path in new[] { "/v2/models/mymodel/infer", "/v2/models/mymodel/versions/champion/infer", "/v2/models/mymodel/versions/1/infer" })
        {
            var (status, body) = await PostAsync(path, Corrected(SpecRequest));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.NotNull(body!["error"]);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync("/v2/models/mymodel/ready")).StatusCode);
    }

    [Fact]
    public async Task Unknown_model_names_are_not_remembered()
    {
        var router = _host.App.Services.GetRequiredService<Serving.TrafficRouter>();
        await PostAsync("/v2/models/mymodel/infer", Corrected(SpecRequest));
        var remembered = router.CachedModels;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await PostAsync($"/v2/models/made-up-{i}/infer", Corrected(SpecRequest))).Status);
            using var tabular = await _http.PostAsync($"/api/v1/predict/made-up-{i}", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NotFound, tabular.StatusCode);
        }

        Assert.Equal(remembered, router.CachedModels);
    }

    [Fact]
    public async Task Unknown_models_and_unserved_versions_get_404_and_503()
    {
        var (unknown, error) = await PostAsync("/v2/models/nope/infer", Corrected(SpecRequest));
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.NotNull(error!["error"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync("/v2/models/mymodel/versions/2/infer", Corrected(SpecRequest))).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync("/v2/models/mymodel/versions/challenger/infer", Corrected(SpecRequest))).Status);
        using var viewer = _host.Http();
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await _host.CreateKeyAsync(Roles.Viewer));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/v2/models/mymodel/infer", new StringContent(Corrected(SpecRequest), Encoding.UTF8, "application/json"))).StatusCode);
    }
}
