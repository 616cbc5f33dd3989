using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Governance;
using Warden.Server.Platform;
using Warden.Server.Registry;

namespace Warden.Server.Dashboard.Pages;

/// <summary>One model: versions, and for the selected version its gates, sign-offs, validation evidence, card and lineage;
/// the alias history below.</summary>
public sealed class ModelModel(RegistryService registry, GovernanceService governance) : PageModel
{
    /// <summary>The model.</summary>
    public ModelInfo Info { get; private set; } = null!;

    /// <summary>Its versions, newest first.</summary>
    public IReadOnlyList<ModelVersionInfo> Versions { get; private set; } = [];

    /// <summary>The version shown in detail (the one asked for, else the newest).</summary>
    public ModelVersionInfo? Selected { get; private set; }

    /// <summary>Gates of the selected version.</summary>
    public GateReport? Gates { get; private set; }

    /// <summary>History of the selected version.</summary>
    public VersionHistory? History { get; private set; }

    /// <summary>Card of the selected version.</summary>
    public ModelCard? Card { get; private set; }

    /// <summary>Alias history of the model.</summary>
    public ModelHistory Aliases { get; private set; } = null!;

    /// <summary>Loads the page.</summary>
    public async Task<IActionResult> OnGetAsync(string name, int? version, CancellationToken cancellationToken)
    {
        if (!DashboardFormat.Can(User, Permission.ReadModels))
        {
            return Forbid();
        }

        try
        {
            Info = await registry.GetModelAsync(name, cancellationToken);
        }
        catch (WardenProblemException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return NotFound();
        }

        Versions = await registry.ListVersionsAsync(name, cancellationToken);
        Selected = version is { } v ? Versions.FirstOrDefault(x => x.Version == v) : Versions.Count > 0 ? Versions[0] : null;
        if (Selected is not null)
        {
            Gates = await governance.GatesAsync(name, Selected.Version, cancellationToken);
            History = await governance.VersionHistoryAsync(name, Selected.Version, cancellationToken);
            Card = await registry.GetCardAsync(name, Selected.Version, cancellationToken);
        }

        Aliases = await governance.ModelHistoryAsync(name, null, null, cancellationToken);
        return Page();
    }
}
