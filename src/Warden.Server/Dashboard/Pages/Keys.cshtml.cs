using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Platform;

namespace Warden.Server.Dashboard.Pages;

/// <summary>Key management for admins: list, create (secret shown once), revoke. Every change is audited.</summary>
public sealed class KeysModel(ApiKeyService keys, AuditScope scope) : PageModel
{
    /// <summary>All keys.</summary>
    public IReadOnlyList<ApiKeyInfo> Keys { get; private set; } = [];

    /// <summary>The key just created.</summary>
    public CreatedApiKey? Created { get; private set; }

    /// <summary>Why the last action failed.</summary>
    public string? Error { get; private set; }

    /// <summary>New key name.</summary>
    [BindProperty]
    public string? Name { get; set; }

    /// <summary>New key roles.</summary>
    [BindProperty]
    public List<string> SelectedRoles { get; set; } = [];

    /// <summary>New key expiry date (UTC midnight).</summary>
    [BindProperty]
    public DateTime? ExpiresAt { get; set; }

    /// <summary>Key to revoke.</summary>
    [BindProperty]
    public string? Id { get; set; }

    /// <summary>Lists keys.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken);

    /// <summary>Creates a key.</summary>
    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ManageKeys))
        {
            return Forbid();
        }

        try
        {
            DateTimeOffset? expires = ExpiresAt is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d.Date, DateTimeKind.Utc)) : null;
            Created = await keys.CreateAsync(new CreateApiKeyRequest(Name ?? "", SelectedRoles, expires), scope, cancellationToken);
        }
        catch (WardenProblemException e)
        {
            Error = e.Message;
        }

        return await LoadAsync(cancellationToken);
    }

    /// <summary>Revokes a key.</summary>
    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ManageKeys))
        {
            return Forbid();
        }

        try
        {
            await keys.RevokeAsync(Id ?? "", "revoked from the dashboard", scope, cancellationToken);
        }
        catch (WardenProblemException e)
        {
            Error = e.Message;
        }

        return await LoadAsync(cancellationToken);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ManageKeys))
        {
            return Forbid();
        }

        Keys = await keys.ListAsync(includeInactive: true, cancellationToken);
        return Page();
    }
}
