namespace Warden.Contracts;

/// <summary>One record's prediction.</summary>
/// <param name="Prediction">The predicted class (classifiers: true when the probability is at least 0.5) or value (regressors).</param>
/// <param name="Probability">Classifiers: the probability of the positive class.</param>
public sealed record RecordPrediction(object Prediction, double? Probability);

/// <summary>The answer of <c>POST /api/v1/predict/{model}</c>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version that produced the predictions.</param>
/// <param name="Alias">The alias it was reached through.</param>
/// <param name="RequestId">The request id (also in X-Request-Id and the stored event).</param>
/// <param name="Predictions">One per record, in order.</param>
public sealed record PredictionResponse(string Model, int Version, string Alias, string RequestId, IReadOnlyList<RecordPrediction> Predictions);
