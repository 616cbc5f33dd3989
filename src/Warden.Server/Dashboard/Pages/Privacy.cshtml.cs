using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Privacy;
using Warden.Server.Access;
using Warden.Server.Privacy;
using Warden.Server.Registry;
using Warden.Server.Security;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The privacy page: key status, feature policy per model, detection counts, and a place to try the analyzer.</summary>
public sealed class PrivacyModel(PrivacyService privacy, DataKeyStore keys, IKeyEncryptionKeys keks, RegistryService registry) : PageModel
{
    /// <summary>Text to analyze.</summary>
    [BindProperty]
    public string? Sample { get; set; }

    /// <summary>Key status.</summary>
    public KeyStatusReport Keys { get; private set; } = null!;

    /// <summary>Organisation default.</summary>
    public string DefaultClassification => privacy.DefaultClassification;

    /// <summary>Per model: latest version's features with their classification (explicit or default).</summary>
    public List<(string Model, int Version, List<(string Feature, string Classification, string? Justification, bool Explicit)> Features)> Policies { get; } = [];

    /// <summary>Detection counts.</summary>
    public List<(string Source, string Entity, long Count)> Detections { get; private set; } = [];

    /// <summary>Detections in <see cref="Sample"/>.</summary>
    public IReadOnlyList<PiiMatch>? Matches { get; private set; }

    /// <summary>The sample with detections marked (HTML-encoded).</summary>
    public string Highlighted { get; private set; } = "";

    /// <summary>The sample anonymized with the default operator.</summary>
    public string Anonymized { get; private set; } = "";

    /// <summary>Shows the page.</summary>
    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>Analyzes the sample.</summary>
    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(Sample) && Sample.Length <= 20_000)
        {
            Matches = privacy.Analyze(Sample, "dashboard");
            Anonymized = new PiiAnonymizer().Anonymize(Sample, Matches).Text;
            var html = new StringBuilder();
            var at = 0;
            foreach (var m in OverlapResolver.Resolve(Matches).OrderBy(m => m.Start))
            {
                html.Append(WebUtility.HtmlEncode(Sample[at..m.Start]))
                    .Append("<mark title=\"").Append(m.EntityType).Append("\">").Append(WebUtility.HtmlEncode(Sample[m.Start..m.End])).Append("</mark>");
                at = m.End;
            }

            Highlighted = html.Append(WebUtility.HtmlEncode(Sample[at..])).ToString();
        }

        return LoadAsync(cancellationToken);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.UsePrivacyTools))
        {
            return Forbid();
        }

        Keys = new KeyStatusReport(keks.CurrentVersion, (await keys.SummaryAsync(cancellationToken)).Select(g => new DataKeyGroup(g.Purpose, g.KekVersion, g.Live, g.Destroyed)).ToList());
        Detections = privacy.Detections.OrderBy(d => d.Key.Source, StringComparer.Ordinal).ThenByDescending(d => d.Value)
            .Select(d => (d.Key.Source, d.Key.Entity, d.Value)).ToList();
        if (DashboardFormat.Can(User, Permission.ReadModels))
        {
            var models = await registry.SearchModelsAsync(new ModelQuery { PageSize = 50 }, cancellationToken);
            foreach (var model in models.Items.Where(m => m.LatestVersion is not null))
            {
                var version = await registry.GetVersionAsync(model.Name, model.LatestVersion!.Value, cancellationToken);
                var classes = version.DataClassification.ToDictionary(c => c.Feature, StringComparer.Ordinal);
                Policies.Add((model.Name, version.Version, version.Signature.Features.Select(f => classes.TryGetValue(f.Name, out var c)
                    ? (f.Name, c.Classification, c.Justification, true)
                    : (f.Name, privacy.DefaultClassification, (string?)null, false)).ToList()));
            }
        }

        return Page();
    }
}
