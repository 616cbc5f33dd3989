using System.Globalization;

namespace Warden.Privacy.Recognition;

/// <summary>
/// Turns a validated regex match into a scored <see cref="PiiMatch"/>, applying the rules in docs/privacy.md:
/// rejected → dropped; confirmed → 1.0; otherwise the pattern's base score, raised by a context word before the match
/// to <c>min(1, max(score + boost, floor))</c>; a pattern that requires context is dropped without one; anything
/// below the minimum score is dropped.
/// </summary>
internal sealed class Scorer(PiiAnalyzerOptions options)
{
    public PiiMatch? Score(string text, Recognizer recognizer, ScoreRule rule, Validation validation, int start, int end, int contextFrom = 0)
    {
        if (validation.Outcome == ValidationOutcome.Rejected)
            return null;
        double score = validation.Outcome == ValidationOutcome.Confirmed ? 1.0 : rule.Score;
        string? context = null;
        if (score < 1.0 || rule.RequiresContext)
            context = recognizer.Context.FindBefore(text, start, options.ContextWindowWords, contextFrom);
        if (rule.RequiresContext && context is null)
            return null;
        if (context is not null && score < 1.0)
            score = Math.Min(1.0, Math.Max(score + options.ContextBoost, options.MinScoreWithContext));
        score = Math.Round(score, 4);
        if (score < options.MinScore)
            return null;

        string contextNote = context is null ? "no context word" : $"context \"{context}\"";
        var explanation = string.Create(
            CultureInfo.InvariantCulture,
            $"{rule.Name} (base {rule.Score:0.##}); {validation.Reason}; {contextNote}; score {score:0.##}");
        return new PiiMatch(recognizer.EntityType, start, end, score, recognizer.Name, explanation);
    }
}

/// <summary>How a kind of match is scored: its name in explanations, its base score, and whether it needs context.</summary>
internal readonly record struct ScoreRule(string Name, double Score, bool RequiresContext = false);
