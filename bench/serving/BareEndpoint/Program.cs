using System.Text.Json;
using System.Text.Json.Serialization;
using BareEndpoint;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Contender (c) of the serving benchmark: the HTTP floor. POST /predict parses {"records":[{"f0":…,…,"f19":…}]} with
// System.Text.Json and answers {"predictions":[{"prediction":bool,"probability":float}]} with sigmoid(w·x + b) computed
// in C# from model.json. No authentication, validation beyond the feature names, logging or metrics.
//   dotnet bench/serving/BareEndpoint/bin/Release/net10.0/BareEndpoint.dll http://127.0.0.1:5101 [model.json]
var url = args.Length > 0 ? args[0] : "http://127.0.0.1:5101";
var modelPath = args.Length > 1 ? args[1] : Path.Combine(AppContext.BaseDirectory, "model.json");
var model = LinearModel.Load(modelPath);

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.WebHost.UseUrls(url);
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BareJson.Default));
var app = builder.Build();

app.MapGet("/health", () => TypedResults.Ok("ok"));
app.MapPost("/predict", IResult (PredictRequest request) =>
{
    if (request.Records is not { Count: > 0 } records)
    {
        return TypedResults.BadRequest(new ErrorResponse("records must be a non-empty array"));
    }

    var predictions = new RecordPrediction[records.Count];
    for (var i = 0; i < records.Count; i++)
    {
        if (model.Score(records[i]) is not { } probability)
        {
            return TypedResults.BadRequest(new ErrorResponse($"record {i} lacks one of the model's features"));
        }

        predictions[i] = new RecordPrediction(probability >= 0.5, probability);
    }

    return TypedResults.Ok(new PredictResponse(predictions));
});

Console.WriteLine($"BareEndpoint: {model.Features.Length} features from {modelPath}, listening on {url}");
await app.RunAsync();

namespace BareEndpoint
{
    /// <summary>The request body: records of named features.</summary>
    internal sealed record PredictRequest(List<Dictionary<string, double>>? Records);

    /// <summary>One record's answer.</summary>
    internal sealed record RecordPrediction(bool Prediction, double Probability);

    /// <summary>The response body.</summary>
    internal sealed record PredictResponse(RecordPrediction[] Predictions);

    /// <summary>A 400 answer.</summary>
    internal sealed record ErrorResponse(string Error);

    /// <summary>model.json as written by make_model.py.</summary>
    internal sealed record ModelFile(string[] Features, double[] Coefficients, double Intercept);

    /// <summary>The logistic regression: sigmoid(w·x + b).</summary>
    internal sealed class LinearModel(string[] features, double[] weights, double intercept)
    {
        public string[] Features { get; } = features;

        public static LinearModel Load(string path)
        {
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), BareJson.Default.ModelFile)
                       ?? throw new InvalidOperationException($"{path} is empty");
            if (file.Features.Length != file.Coefficients.Length)
            {
                throw new InvalidOperationException($"{path}: {file.Features.Length} features but {file.Coefficients.Length} coefficients");
            }

            return new LinearModel(file.Features, file.Coefficients, file.Intercept);
        }

        /// <summary>The probability of the positive class, or null when a feature is missing.</summary>
        public double? Score(Dictionary<string, double> record)
        {
            var logit = intercept;
            for (var j = 0; j < Features.Length; j++)
            {
                if (!record.TryGetValue(Features[j], out var x))
                {
                    return null;
                }

                logit += weights[j] * x;
            }

            return 1.0 / (1.0 + Math.Exp(-logit));
        }
    }

    /// <summary>Source-generated JSON (camelCase, as ASP.NET Core's web defaults).</summary>
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(PredictRequest))]
    [JsonSerializable(typeof(PredictResponse))]
    [JsonSerializable(typeof(ErrorResponse))]
    [JsonSerializable(typeof(ModelFile))]
    [JsonSerializable(typeof(string))]
    internal sealed partial class BareJson : JsonSerializerContext;
}
