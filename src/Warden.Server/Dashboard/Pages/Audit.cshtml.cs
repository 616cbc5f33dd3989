using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The audit log: chain status (with a "verify now" button), filters and paged records.</summary>
public sealed class AuditModel(AuditLog audit, ChainStatus chain) : PageModel
{
    /// <summary>Filter: actor key id.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Actor { get; set; }

    /// <summary>Filter: action prefix.</summary>
    [BindProperty(SupportsGet = true, Name = "action")]
    public string? ActionFilter { get; set; }

    /// <summary>Filter: target prefix.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Target { get; set; }

    /// <summary>Filter: from (read as UTC, whatever the server's time zone).</summary>
    [BindProperty(SupportsGet = true)]
    public DateTime? Since { get; set; }

    /// <summary>Filter: until (read as UTC).</summary>
    [BindProperty(SupportsGet = true)]
    public DateTime? Until { get; set; }

    /// <summary>Page number.</summary>
    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    /// <summary>The records shown.</summary>
    public Page<AuditRecord> Results { get; private set; } = new([], 0, 1, 50);

    /// <summary>Chain status.</summary>
    public AuditVerification Chain { get; private set; } = null!;

    /// <summary>Shows the page.</summary>
    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => LoadAsync(force: false, cancellationToken);

    /// <summary>Recomputes the chain now.</summary>
    public Task<IActionResult> OnPostVerifyAsync(CancellationToken cancellationToken) => LoadAsync(force: true, cancellationToken);

    /// <summary>A link to another page with the same filters.</summary>
    public string PageLink(int page)
    {
        var query = new Dictionary<string, string?>
        {
            ["actor"] = Actor, ["action"] = ActionFilter, ["target"] = Target,
            ["since"] = Since?.ToString("yyyy-MM-ddTHH:mm"), ["until"] = Until?.ToString("yyyy-MM-ddTHH:mm"), ["page"] = page.ToString(),
        };
        return QueryHelpers.AddQueryString("/audit", query.Where(q => !string.IsNullOrEmpty(q.Value)));
    }

    private static DateTimeOffset? AsUtc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private async Task<IActionResult> LoadAsync(bool force, CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadAudit))
        {
            return Forbid();
        }

        Chain = await chain.GetAsync(force, cancellationToken);
        Results = await audit.QueryAsync(new AuditQuery
        {
            Actor = Actor, Action = ActionFilter, Target = Target,
            Since = AsUtc(Since), Until = AsUtc(Until), Page = Math.Max(1, PageNumber), PageSize = 50,
        }, cancellationToken);
        return Page();
    }
}
