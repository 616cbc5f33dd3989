using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Platform;
using Warden.Server.Registry;

namespace Warden.Server.Serving;

/// <summary>POST /api/v1/predict/{model}: tabular predictions from the approved version holding an alias.</summary>
public static class ServingApi
{
    /// <summary>Registers the prediction path and the event log.</summary>
    public static IHostApplicationBuilder AddWardenServing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EventLogOptions>().BindConfiguration("Warden:Events");
        builder.Services.AddSingleton<EventLog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventLog>());
        builder.Services.AddOptions<ServingOptions>().BindConfiguration("Warden:Serving");
        builder.Services.AddSingleton<ServingMetrics>();
        builder.Services.AddSingleton<DeploymentTable>();
        builder.Services.AddHostedService<DeploymentRefresher>();
        builder.Services.AddSingleton<TrafficRouter>();
        builder.Services.AddSingleton<Governance.IAliasChangeListener, DeploymentAliasListener>();
        builder.Services.AddSingleton<PredictionService>();
        return builder;
    }

    /// <summary>Maps the routes.</summary>
    public static RouteHandlerBuilder MapServingApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/models/{name}/traffic", async (string name, TrafficRouter router, Registry.RegistryService registry, CancellationToken ct) =>
            {
                await registry.FindModelAsync(name, ct);
                return TypedResults.Ok(await router.GetAsync(name, ct));
            })
            .WithTags("Serving").RequirePermission(Permission.ReadModels).WithName("GetTraffic").WithSummary("The model's traffic policy (canary weights, shadows)");
        routes.MapPut("/api/v1/models/{name}/traffic", async (string name, TrafficPolicy policy, TrafficRouter router, AuditScope scope, CancellationToken ct) =>
                TypedResults.Ok(await router.SetAsync(name, policy, scope, ct)))
            .WithTags("Serving").RequirePermission(Permission.ManageAliases).Audited("traffic.set", "model:{name}").WithName("SetTraffic")
            .WithSummary("Split traffic between aliases by weight (sticky by unitId) and send shadow copies to other aliases").ProducesProblem(400).ProducesProblem(404);
        routes.MapGet("/api/v1/deployments", (DeploymentTable table) => TypedResults.Ok(table.Routes.Select(r => new DeploymentInfo(r.Model, r.Alias, r.Version.Version,
                r.Version.Signature.Format, r.Version.Columns.Count)).ToList()))
            .WithTags("Serving").RequirePermission(Permission.ReadModels).WithName("ListDeployments").WithSummary("What is loaded and which alias routes to it");
        return routes.MapPost("/api/v1/predict/{model}", PredictAsync).Accepts<JsonElement>("application/json").WithTags("Serving").RequirePermission(Permission.Predict).NotAStateChange().WithName("Predict")
            .WithSummary("Score one record or many ({\"records\":[…]}) with the approved version holding the alias (default champion)")
            .WithDescription("Features are named as in the version's signature; a wrong name, kind or a missing feature gets 400 naming it. " +
                             "With {\"records\":[…], \"subjectId\":\"…\"} the stored inputs are sealed with that data subject's key (erasable). " +
                             "Each prediction is logged as an event whose inputs went through the model's privacy field policy.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(429).ProducesProblem(504);
    }

    private static async ValueTask<PredictionResult> PredictAsync(string model, HttpRequest request, string? alias, PredictionService predictions,
        AuditScope scope, CancellationToken ct)
    {
        using var json = await JsonBody.ReadAsync(request, ct);
        var body = json.Document.RootElement;
        string? unitId = null, subjectId = null;
        IReadOnlyList<JsonElement> records;
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("records", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["records"] = ["must be an array of records"] });
            }

            records = list.EnumerateArray().ToList();
            unitId = body.TryGetProperty("unitId", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            subjectId = body.TryGetProperty("subjectId", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        }
        else
        {
            records = [body];
        }

        return new PredictionResult(await predictions.PredictAsync(model, alias, records, unitId, scope.RequestId, scope.Actor.KeyId, ct, subjectId));
    }
}

/// <summary>200 with a <see cref="PredictionResponse"/>, written straight into the response pipe: the same JSON the
/// serializer writes under the API's options (camelCase names, "NaN" for undefined numbers), without its per-response
/// write stack and runtime-type lookup of each prediction value.</summary>
internal sealed class PredictionResult(PredictionResponse response) : IResult, IEndpointMetadataProvider
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The response.</summary>
    public PredictionResponse Response { get; } = response;

    /// <inheritdoc />
    /// <remarks>The body is formed first so the response carries a Content-Length: no chunked framing, and Kestrel sends
    /// headers and body together when the request ends instead of a chunk now and the terminating chunk after.</remarks>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        Write(writer, Response, httpContext.RequestServices?.GetService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()?.Value.SerializerOptions);
        var http = httpContext.Response;
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = "application/json; charset=utf-8";
        http.ContentLength = buffer.WrittenCount;
        System.Buffers.BuffersExtensions.Write(http.BodyWriter, buffer.WrittenSpan);
        if (buffer.Capacity > 64 * 1024)
        {
            // A response of a thousand records: do not keep its buffer on the thread.
            t_buffer = null;
            t_writer = null;
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes <paramref name="response"/> as the API's JSON serializer would; prediction values other than
    /// booleans and numbers go through <paramref name="options"/> (the API's configured options; web defaults without).</summary>
    internal static void Write(Utf8JsonWriter writer, PredictionResponse response, JsonSerializerOptions? options = null)
    {
        writer.WriteStartObject();
        writer.WriteString("model"u8, response.Model);
        writer.WriteNumber("version"u8, response.Version);
        writer.WriteString("alias"u8, response.Alias);
        writer.WriteString("requestId"u8, response.RequestId);
        writer.WriteStartArray("predictions"u8);
        foreach (var prediction in response.Predictions)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("prediction"u8);
            switch (prediction.Prediction)
            {
                case bool b:
                    writer.WriteBooleanValue(b);
                    break;
                case double d:
                    WriteNumber(writer, d);
                    break;
                default:
                    JsonSerializer.Serialize(writer, prediction.Prediction, options ?? JsonSerializerOptions.Web);
                    break;
            }

            writer.WritePropertyName("probability"u8);
            if (prediction.Probability is { } p)
            {
                WriteNumber(writer, p);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    // JsonNumberHandling.AllowNamedFloatingPointLiterals: NaN and infinities travel as strings.
    private static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    /// <inheritdoc />
    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(PredictionResponse), ["application/json"]));
}

/// <summary>A request body parsed as one JSON document straight from the request's pipe, without copying it into a
/// serializer-owned document: the document reads the pipe's buffers (or pooled ones when the body spans several) and
/// is valid until disposed, which releases the buffers.</summary>
internal sealed class JsonBody : IDisposable
{
    private readonly System.IO.Pipelines.PipeReader _reader;
    private readonly System.Buffers.ReadOnlySequence<byte> _buffer;

    private JsonBody(JsonDocument document, System.IO.Pipelines.PipeReader reader, System.Buffers.ReadOnlySequence<byte> buffer)
    {
        Document = document;
        _reader = reader;
        _buffer = buffer;
    }

    /// <summary>The parsed body.</summary>
    public JsonDocument Document { get; }

    /// <summary>Reads the whole body (the server's body size limit applies) and parses it; a body that is not JSON is a 400
    /// naming the problem.</summary>
    public static async ValueTask<JsonBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        var result = await reader.ReadAsync(cancellationToken);
        while (!result.IsCompleted && !result.IsCanceled)
        {
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await reader.ReadAsync(cancellationToken);
        }

        var buffer = result.Buffer;
        try
        {
            return new JsonBody(JsonDocument.Parse(buffer), reader, buffer);
        }
        catch (JsonException e)
        {
            reader.AdvanceTo(buffer.End);
            throw WardenProblemException.Validation(new Dictionary<string, string[]>
            {
                ["body"] = [buffer.IsEmpty ? "is empty; send a JSON record or {\"records\": [...]}" : $"is not valid JSON: {e.Message}"],
            });
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Document.Dispose();
        _reader.AdvanceTo(_buffer.End);
    }
}
