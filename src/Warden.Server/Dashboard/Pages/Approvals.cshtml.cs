using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Governance;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The approval queue for validators and approvers.</summary>
public sealed class ApprovalsModel(GovernanceService governance) : PageModel
{
    /// <summary>Waiting versions.</summary>
    public IReadOnlyList<QueueItem> Queue { get; private set; } = [];

    /// <summary>Loads the queue.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

        Queue = await governance.QueueAsync(cancellationToken);
        return Page();
    }

    /// <summary>What the signed-in key can do for this item.</summary>
    public string YourPart(QueueItem item) =>
        item.State == VersionStates.Submitted && item.ValidationsNeeded > 0
            ? DashboardFormat.Can(User, Permission.ValidateModels) ? "validate (warden models validate)" : "—"
            : DashboardFormat.Can(User, Permission.ApproveModels) ? "approve (warden models approve)" : "—";
}
