namespace Warden.Server.Governance;

/// <summary>Told after a committed change of a model's aliases (promotion, rollback, retirement, review sweep).</summary>
public interface IAliasChangeListener
{
    /// <summary>The aliases of <paramref name="model"/> changed.</summary>
    Task OnAliasesChangedAsync(string model);
}
