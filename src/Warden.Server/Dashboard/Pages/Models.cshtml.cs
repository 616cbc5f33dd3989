using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Registry;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The model list: tier, state, owner, aliases and review due, with search and filters.</summary>
public sealed class ModelsModel(RegistryService registry) : PageModel
{
    /// <summary>Search text.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Search { get; set; }

    /// <summary>Tier filter.</summary>
    [BindProperty(SupportsGet = true)]
    public int? Tier { get; set; }

    /// <summary>Tag filter.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Tag { get; set; }

    /// <summary>Page.</summary>
    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    /// <summary>The models shown.</summary>
    public Page<ModelInfo> Results { get; private set; } = new([], 0, 1, 50);

    /// <summary>Loads the page.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

        Results = await registry.SearchModelsAsync(new ModelQuery
        {
            Search = Search, RiskTier = Tier is >= 1 and <= 3 ? Tier : null, Tag = Tag, Page = Math.Max(1, PageNumber), PageSize = 50,
        }, cancellationToken);
        return Page();
    }

    /// <summary>A link to another page with the same filters.</summary>
    public string PageLink(int page) => QueryHelpers.AddQueryString("/models", new Dictionary<string, string?>
    {
        ["search"] = Search, ["tier"] = Tier?.ToString(), ["tag"] = Tag, ["page"] = page.ToString(),
    }.Where(q => !string.IsNullOrEmpty(q.Value)));
}
