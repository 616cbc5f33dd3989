using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Platform;

namespace Warden.Server.Dashboard.Pages;

/// <summary>The overview: server, storage, keys, audit chain health and the latest changes.</summary>
public sealed class IndexModel(WardenDatabase database, SchemaState schema, ApiKeyService keys, AuditLog audit, ChainStatus chain) : PageModel
{
    /// <summary>Server facts.</summary>
    public ServerInfo Info { get; private set; } = null!;

    /// <summary>Usable keys.</summary>
    public int ActiveKeys { get; private set; }

    /// <summary>Revoked or expired keys.</summary>
    public int InactiveKeys { get; private set; }

    /// <summary>Chain status, when the viewer may read the audit log.</summary>
    public AuditVerification? Chain { get; private set; }

    /// <summary>The latest audit records, when the viewer may read them.</summary>
    public IReadOnlyList<AuditRecord> Recent { get; private set; } = [];

    /// <summary>Loads the page.</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Info = new ServerInfo(ServerApi.Version, database.EngineName, schema.Version, ServerApi.StartedAt);
        var all = await keys.ListAsync(includeInactive: true, cancellationToken);
        ActiveKeys = all.Count(k => k.Status == ApiKeyStatus.Active);
        InactiveKeys = all.Count - ActiveKeys;
        if (DashboardFormat.Can(User, Permission.ReadAudit))
        {
            Chain = await chain.GetAsync(force: false, cancellationToken);
            Recent = (await audit.QueryAsync(new AuditQuery { PageSize = 8 }, cancellationToken)).Items;
        }
    }
}
