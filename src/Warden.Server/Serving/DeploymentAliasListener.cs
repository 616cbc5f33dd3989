namespace Warden.Server.Serving;

/// <summary>Refreshes the deployment table when governance moves, removes or retires an alias holder, so the change is
/// served as soon as the call that made it returns (the new version is loaded and warm before traffic moves).</summary>
internal sealed class DeploymentAliasListener(DeploymentTable table) : Governance.IAliasChangeListener
{
    public Task OnAliasesChangedAsync(string model) => table.RefreshAsync(model);
}
