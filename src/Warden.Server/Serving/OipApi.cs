using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Warden.Contracts;
using Warden.Inference;
using Warden.Server.Access;
using Warden.Server.Data;
using Warden.Server.Platform;

namespace Warden.Server.Serving;

/// <summary>The Open Inference Protocol v2 REST API (kserve/open-inference-protocol, required_api.md): health, server and
/// model metadata, model readiness and inference. {version} may be a version number or an alias; only approved,
/// alias-holding versions answer. Errors are {"error": "..."} with 400 (bad input), 404 (unknown model) or 503 (not ready).</summary>
public static class OipApi
{
    /// <summary>Maps /v2.</summary>
    public static void MapOipApi(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2").WithTags("Open Inference Protocol");
        v2.MapGet("/health/live", () => Results.Ok()).AllowAnonymous().WithName("OipLive").WithSummary("200 while the server runs");
        v2.MapGet("/health/ready", async (WardenDatabase database, CancellationToken ct) =>
        {
            try
            {
                await using var connection = await database.OpenAsync(ct);
                await connection.ExecuteScalarAsync<long>("SELECT 1");
                return Results.Ok();
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, "storage is not reachable");
            }
        }).AllowAnonymous().WithName("OipReady").WithSummary("200 when the server can serve");
        v2.MapGet("/", () => Results.Json(new { name = "warden", version = ServerApi.Version, extensions = Array.Empty<string>() }))
            .RequirePermission(Permission.Authenticated).WithName("OipServerMetadata").WithSummary("Server metadata");

        foreach (var suffix in new[] { "", "/versions/{version}" })
        {
            v2.MapGet("/models/{model}" + suffix, MetadataAsync).RequirePermission(Permission.ReadModels)
                .WithName("OipModelMetadata" + (suffix.Length > 0 ? "Version" : "")).WithSummary("Model metadata: inputs and outputs with datatypes and shapes");
            v2.MapGet("/models/{model}" + suffix + "/ready", ReadyAsync).RequirePermission(Permission.ReadModels)
                .WithName("OipModelReady" + (suffix.Length > 0 ? "Version" : "")).WithSummary("200 when the model (version or alias) can answer, else 404/503");
            v2.MapPost("/models/{model}" + suffix + "/infer", InferAsync).RequirePermission(Permission.Predict)
                .WithName("OipInfer" + (suffix.Length > 0 ? "Version" : "")).WithSummary("Inference with tensors (nested or flat row-major data; requested outputs)");
        }
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static async Task<(LoadedVersion? Version, IResult? Error)> ResolveAsync(string model, string? version, DeploymentTable table, WardenDatabase database,
        TrafficRouter router, CancellationToken ct)
    {
        var (loaded, _, error) = await ResolveWithAliasAsync(model, version, table, database, router, ct);
        return (loaded, error);
    }

    private static async Task<(LoadedVersion? Version, string Alias, IResult? Error)> ResolveWithAliasAsync(string model, string? version, DeploymentTable table, WardenDatabase database,
        TrafficRouter router, CancellationToken ct)
    {
        // The hot path: a route that the deployment table already serves — the model's default route, an alias, or a version
        // number that a resolved route serves — needs no database round trip (the tabular endpoint resolves the same way).
        // An unknown model or a route not loaded yet takes the checks below, which name the precise error.
        if (version is null || !int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var pinned))
        {
            var routed = version ?? (await router.GetAsync(model, ct)).Routes[0].Alias;
            if (table.Loaded(model, routed) is { } serving)
            {
                return (serving, routed, null);
            }
        }
        else if (table.LoadedByNumber(model, pinned, out var holder) is { } serving)
        {
            return (serving, holder, null);
        }

        await using var connection = await database.OpenAsync(ct);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM models WHERE name = @model", new { model }, cancellationToken: ct));
        if (exists == 0)
        {
            return (null, "", Error(StatusCodes.Status404NotFound, $"unknown model '{model}'"));
        }

        string alias;
        if (version is null)
        {
            alias = (await router.GetAsync(model, ct)).Routes[0].Alias;
        }
        else if (int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            var held = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
                "SELECT a.alias FROM aliases a JOIN models m ON m.id = a.model_id JOIN model_versions v ON v.id = a.version_id WHERE m.name = @model AND v.version = @number ORDER BY a.alias",
                new { model, number }, cancellationToken: ct));
            if (held is null)
            {
                var known = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = @model AND v.version = @number", new { model, number }, cancellationToken: ct));
                return (null, "", known == 0
                    ? Error(StatusCodes.Status404NotFound, $"model '{model}' has no version {number}")
                    : Error(StatusCodes.Status503ServiceUnavailable, $"{model} v{number} holds no stage alias; only approved versions that hold one are served"));
            }

            alias = held;
        }
        else
        {
            alias = version;
        }

        var loaded = await table.ResolveAsync(model, alias);
        return loaded is null
            ? (null, alias, Error(StatusCodes.Status503ServiceUnavailable, $"no approved version of '{model}' holds '{alias}'"))
            : (loaded, alias, null);
    }

    private static async Task<IResult> MetadataAsync(string model, string? version, DeploymentTable table, WardenDatabase database, TrafficRouter router, CancellationToken ct)
    {
        var (loaded, error) = await ResolveAsync(model, version, table, database, router, ct);
        if (error is not null)
        {
            return error;
        }

        var s = loaded!.Signature;
        object Tensor(TensorSpec t) => new { name = t.Name, datatype = OipTypes.ToDatatype(t.ElementType), shape = t.Shape };
        return Results.Json(new
        {
            name = model,
            versions = new[] { loaded.Version.ToString(CultureInfo.InvariantCulture) },
            platform = s.Format == ModelRuntime.Onnx ? "onnxruntime_onnx" : "mlnet",
            inputs = s.Format == ModelRuntime.Onnx ? s.Inputs.Select(Tensor) : s.Features.Select(f => Tensor(new TensorSpec(f.Name, f.ElementType, [-1]))),
            outputs = s.Format == ModelRuntime.Onnx ? s.Outputs.Select(Tensor) : new[] { Tensor(new TensorSpec(OutputName(loaded), "float64", [-1])) },
        });
    }

    private static async Task<IResult> ReadyAsync(string model, string? version, DeploymentTable table, WardenDatabase database, TrafficRouter router, CancellationToken ct)
    {
        var (_, error) = await ResolveAsync(model, version, table, database, router, ct);
        return error ?? Results.Ok();
    }

    private static async Task<IResult> InferAsync(string model, string? version, HttpContext context, DeploymentTable table, WardenDatabase database,
        TrafficRouter router, ServingMetrics metrics, EventLog events, TimeProvider time, Audit.AuditScope scope, CancellationToken ct)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            return Error(StatusCodes.Status400BadRequest, $"the request is not valid JSON: {e.Message}");
        }

        var (loaded, alias, error) = await ResolveWithAliasAsync(model, version, table, database, router, ct);
        if (error is not null)
        {
            return error;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var request = Parse(body);
            IReadOnlyList<TensorData> outputs;
            if (loaded!.Model is ITensorModel tensors)
            {
                Check(request.Inputs, loaded.Signature);
                await loaded.Concurrency.WaitAsync(ct);
                try
                {
                    outputs = tensors.Run(request.Inputs, request.Outputs);
                }
                finally
                {
                    loaded.Concurrency.Release();
                }
            }
            else
            {
                outputs = await TabularAsync(loaded, request, ct);
            }

            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            metrics.Request(model, loaded.Version, "success", seconds);
            // Tensors are stored as datatype, shape and a SHA-256 of their elements — never the raw values; outputs are kept
            // when small (up to 1,000 elements), else digested the same way.
            events.TryAppend(new PredictionEvent(TimeOrderedId.NewHex(), context.TraceIdentifier, model, loaded.Version, alias, time.GetUtcNow(),
                request.Inputs.ToDictionary(i => i.Name, i => (object?)Digest(i), StringComparer.Ordinal),
                outputs.ToDictionary(o => o.Name, o => o.Data.Length <= 1000 ? o.Data : (object?)Digest(o), StringComparer.Ordinal),
                seconds * 1000, scope.Actor.KeyId, null));
            return Results.Json(new
            {
                model_name = model,
                model_version = loaded.Version.ToString(CultureInfo.InvariantCulture),
                id = request.Id ?? context.TraceIdentifier,
                outputs = outputs.Select(o => new { name = o.Name, shape = o.Shape, datatype = o.Datatype, data = o.Data }),
            });
        }
        catch (OipException e)
        {
            metrics.Request(model, loaded!.Version, "invalid_input", 0);
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (ScoringException e)
        {
            metrics.Request(model, loaded!.Version, "invalid_input", 0);
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (QueueFullException)
        {
            metrics.Request(model, loaded!.Version, "queue_full", 0);
            context.Response.Headers.RetryAfter = "1";
            return Error(StatusCodes.Status429TooManyRequests, "the model is at capacity; retry shortly");
        }
        catch (TimeoutException)
        {
            metrics.Request(model, loaded!.Version, "timeout", 0);
            return Error(StatusCodes.Status504GatewayTimeout, "the model did not answer in time");
        }
    }

    private static object Digest(TensorData t)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(t.Data);
        return new { datatype = t.Datatype, shape = t.Shape, sha256 = System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)) };
    }

    private static string OutputName(LoadedVersion v) => v.Row.ModelTask == ModelTasks.BinaryClassification ? "probability" : "score";

    private static async Task<IReadOnlyList<TensorData>> TabularAsync(LoadedVersion loaded, OipRequest request, CancellationToken ct)
    {
        // Models without tensor inputs (ML.NET) take one 1-D input per feature, named as the feature.
        var byName = request.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var n = -1L;
        var columns = new List<string[]>();
        foreach (var feature in loaded.Signature.Features)
        {
            if (!byName.TryGetValue(feature.Name, out var input))
            {
                throw new OipException($"input '{feature.Name}' is missing (one 1-D input per feature: {string.Join(", ", loaded.Columns)})");
            }

            var count = input.Shape.Aggregate(1L, (a, b) => a * b);
            if (n >= 0 && count != n)
            {
                throw new OipException($"input '{feature.Name}' has {count} elements but the others have {n}");
            }

            n = count;
            columns.Add(input.Data.Cast<object>().Select(v => System.Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").Select(v => v is "True" or "False" ? v.ToLowerInvariant() : v).ToArray());
        }

        var unknown = byName.Keys.Except(loaded.Columns, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new OipException($"unknown input(s) {string.Join(", ", unknown)}; the model takes {string.Join(", ", loaded.Columns)}");
        }

        var rows = Enumerable.Range(0, (int)n).Select(r => columns.Select(c => c[r]).ToArray()).ToList();
        var scores = await loaded.ScoreAsync(rows, ct);
        return [new TensorData(OutputName(loaded), "FP64", [n], scores)];
    }

    private static void Check(IReadOnlyList<TensorData> inputs, ModelSignature signature)
    {
        var expected = signature.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (!expected.TryGetValue(input.Name, out var spec))
            {
                throw new OipException($"unknown input '{input.Name}'; the model takes {string.Join(", ", expected.Keys)}");
            }

            var datatype = OipTypes.ToDatatype(spec.ElementType);
            if (datatype != input.Datatype)
            {
                throw new OipException($"input '{input.Name}' has datatype {input.Datatype} but the model expects {datatype}");
            }

            if (spec.Shape.Count != input.Shape.Length || spec.Shape.Where((d, i) => d >= 0 && d != input.Shape[i]).Any())
            {
                throw new OipException($"input '{input.Name}' has shape [{string.Join(",", input.Shape)}] but the model expects [{string.Join(",", spec.Shape)}] (-1: any)");
            }
        }

        var missing = expected.Keys.Except(inputs.Select(i => i.Name), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new OipException($"input(s) {string.Join(", ", missing)} are missing");
        }
    }

    private sealed record OipRequest(string? Id, IReadOnlyList<TensorData> Inputs, IReadOnlyCollection<string>? Outputs);

    private static OipRequest Parse(JsonNode? body)
    {
        if (body is not JsonObject root || root["inputs"] is not JsonArray inputs || inputs.Count == 0)
        {
            throw new OipException("the request needs an \"inputs\" array with at least one tensor");
        }

        var id = root["id"] is JsonValue idValue ? idValue.ToString() : null;
        var tensors = new List<TensorData>();
        foreach (var node in inputs)
        {
            if (node is not JsonObject input)
            {
                throw new OipException("each input must be an object with name, shape, datatype and data");
            }

            var name = input["name"]?.GetValue<string>() ?? throw new OipException("an input has no \"name\"");
            var datatype = input["datatype"]?.GetValue<string>() ?? throw new OipException($"input '{name}' has no \"datatype\"");
            if (!OipTypes.ToElementType.ContainsKey(datatype))
            {
                throw new OipException($"input '{name}': datatype '{datatype}' is not one of {string.Join(", ", OipTypes.ToElementType.Keys)}");
            }

            if (input["shape"] is not JsonArray shapeNode || shapeNode.Any(d => d is not JsonValue v || !v.TryGetValue<long>(out var x) || x < 0))
            {
                throw new OipException($"input '{name}': \"shape\" must be an array of non-negative integers");
            }

            var shape = shapeNode.Select(d => d!.GetValue<long>()).ToArray();
            var flat = new List<JsonNode?>();
            Flatten(input["data"], flat, name);
            var count = shape.Aggregate(1L, (a, b) => a * b);
            if (flat.Count != count)
            {
                throw new OipException($"input '{name}': shape [{string.Join(",", shape)}] needs {count} element(s) but \"data\" has {flat.Count}");
            }

            tensors.Add(new TensorData(name, datatype, shape, Convert(flat, datatype, name)));
        }

        IReadOnlyCollection<string>? outputs = root["outputs"] is JsonArray requested
            ? requested.Select(o => o?["name"]?.GetValue<string>() ?? throw new OipException("each requested output needs a \"name\"")).ToList()
            : null;
        return new OipRequest(id, tensors, outputs);
    }

    private static void Flatten(JsonNode? node, List<JsonNode?> into, string name)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    Flatten(item, into, name);
                }

                break;
            case JsonValue:
                into.Add(node);
                break;
            default:
                throw new OipException($"input '{name}': \"data\" must be an array (nested or flat, row-major)");
        }
    }

    private static Array Convert(List<JsonNode?> values, string datatype, string name)
    {
        T[] Map<T>(Func<JsonValue, T> read) => values.Select((v, i) =>
        {
            try
            {
                return read((JsonValue)v!);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or InvalidCastException)
            {
                throw new OipException($"input '{name}': element {i} ({v?.ToJsonString()}) is not a valid {datatype}");
            }
        }).ToArray();

        return datatype switch
        {
            "BOOL" => Map(v => v.GetValue<bool>()),
            "UINT8" => Map(v => v.GetValue<byte>()),
            "UINT16" => Map(v => v.GetValue<ushort>()),
            "UINT32" => Map(v => v.GetValue<uint>()),
            "UINT64" => Map(v => v.GetValue<ulong>()),
            "INT8" => Map(v => v.GetValue<sbyte>()),
            "INT16" => Map(v => v.GetValue<short>()),
            "INT32" => Map(v => v.GetValue<int>()),
            "INT64" => Map(v => v.GetValue<long>()),
            "FP16" or "FP32" => Map(v => v.GetValue<float>()),
            "FP64" => Map(v => v.GetValue<double>()),
            _ => Map(v => v.GetValue<string>()),
        };
    }

    private sealed class OipException(string message) : Exception(message);
}
