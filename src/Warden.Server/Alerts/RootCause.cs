using System.Globalization;
using Warden.Contracts;
using Warden.Server.Monitoring;
using Warden.Statistics.RootCause;

namespace Warden.Server.Alerts;

/// <summary>Root cause of an alert, from Warden.Statistics.RootCause: drift alerts rank features by normalised drift ×
/// permutation importance (from the version's reference data); performance alerts rank segments (categorical values,
/// reference-quartile bins of numeric features) by their contribution to the change in error from the earlier windows
/// (the baseline) to the alert's window.</summary>
public static class RootCause
{
    /// <summary>Features ranked by drift × importance (importance 1 for all when the version has none).</summary>
    public static IReadOnlyList<RootCauseItem> RankDrift(DriftReport drift, IReadOnlyDictionary<string, double>? importance)
    {
        var results = drift.Features.Select(MonitoringService.ToResult).ToList();
        var weights = results.ToDictionary(r => r.Feature, r => importance?.GetValueOrDefault(r.Feature) ?? 1.0, StringComparer.Ordinal);
        return DriftAttribution.Rank(results, weights).Select(a => new RootCauseItem(a.Feature, a.Score, string.Create(CultureInfo.InvariantCulture,
            $"{a.Method} {a.Statistic:G4}{(a.PValue is { } p ? $" (p={p:G3})" : "")}: {a.NormalizedDrift:0.##}× its threshold, importance {a.ImportanceShare:P0}{(a.Drifted ? ", drifted" : "")}"))).ToList();
    }

    /// <summary>Segments ranked by their contribution to the increase in error (top 15).</summary>
    public static IReadOnlyList<RootCauseItem> RankSegments(MonitoringWindow? baseline, MonitoringWindow current)
    {
        var before = baseline?.Outcomes().Segments ?? new Dictionary<string, MonitoringWindow.SegmentError>();
        var now = current.Outcomes().Segments;
        var segments = before.Keys.Union(now.Keys).Select(key =>
        {
            var split = key.IndexOf('=', StringComparison.Ordinal);
            var b = before.GetValueOrDefault(key);
            var c = now.GetValueOrDefault(key);
            return new SegmentErrors(key[..split], key[(split + 1)..], b?.Labelled ?? 0, b?.ErrorSum ?? 0, c?.Labelled ?? 0, c?.ErrorSum ?? 0);
        }).ToList();
        if (segments.Count == 0)
        {
            return [];
        }

        var ranking = SegmentAttribution.Rank(segments);
        return ranking.Segments.Where(s => s.Contribution > 0).Take(15).Select(s => new RootCauseItem($"{s.Feature}={s.Segment}", s.Contribution, string.Create(
            CultureInfo.InvariantCulture,
            $"error {Format(s.BaselineError)} → {Format(s.CurrentError)}, share {s.BaselineShare:P0} → {s.CurrentShare:P0} (rate effect {s.RateEffect:+0.####;-0.####}, mix effect {s.MixEffect:+0.####;-0.####})"))).ToList();
    }

    private static string Format(double? error) => error is { } e ? e.ToString("0.###", CultureInfo.InvariantCulture) : "—";
}
