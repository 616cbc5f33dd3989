using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
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

    private static async Task<Ok<PredictionResponse>> PredictAsync(string model, HttpRequest request, string? alias, PredictionService predictions,
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

        return TypedResults.Ok(await predictions.PredictAsync(model, alias, records, unitId, scope.RequestId, scope.Actor.KeyId, ct, subjectId));
    }
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
    public static async Task<JsonBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
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
