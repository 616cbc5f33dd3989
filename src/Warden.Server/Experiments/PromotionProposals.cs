using Dapper;
using Warden.Contracts;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Governance;
using Warden.Server.Platform;

namespace Warden.Server.Experiments;

/// <summary>Promotion proposals made by experiments. Accepting one is an approver's decision (segregation of duties: the
/// proposer — the experiment's owner — cannot accept it); it moves the alias through <see cref="GovernanceService.PromoteAsync"/>
/// (audited, alias history, serving hot-swaps) and concludes the experiment.</summary>
public sealed class PromotionProposals(WardenDatabase database, AuditLog audit, GovernanceService governance, ExperimentService experiments, ExperimentRouter router,
    TimeProvider time)
{
    /// <summary>Proposals, newest first, optionally only those with <paramref name="status"/>.</summary>
    public async Task<IReadOnlyList<PromotionProposal>> ListAsync(string? status, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ProposalRow>(new CommandDefinition(
            ProposalRow.Select + " WHERE (@status IS NULL OR p.status = @status) ORDER BY p.proposed_at DESC, p.id DESC", new { status },
            cancellationToken: cancellationToken))).Select(r => r.ToContract()).ToList();
    }

    /// <summary>Accepts: moves the alias to the winning version and concludes the experiment.</summary>
    public async Task<PromotionProposal> AcceptAsync(string id, string comment, AuditScope scope, CancellationToken cancellationToken = default)
    {
        RequireComment(comment);
        var proposal = await PendingAsync(id, scope.Actor, "accept", cancellationToken);
        await governance.PromoteAsync(proposal.ModelName, proposal.Alias,
            new PromoteRequest((int)proposal.Version, $"experiment {proposal.ExperimentName} (proposal {id}): {comment}"), scope, cancellationToken);
        await using var uow = await database.BeginAsync(cancellationToken);
        await DecideAsync(uow, id, "accepted", comment, scope.Actor, cancellationToken);
        var row = await ExperimentService.FindAsync(uow.Connection, uow.Transaction, proposal.ExperimentName, cancellationToken);
        if (row.Status != ExperimentStatuses.Concluded)
        {
            await experiments.ConcludeAsync(uow, row, $"v{proposal.Version} won and was promoted to '{proposal.Alias}' (proposal {id})", cancellationToken);
        }

        await audit.AppendAsync(uow, scope, "promotions.accept", $"proposal:{id}",
            new { experiment = proposal.ExperimentName, model = proposal.ModelName, proposal.Version, proposal.Alias, comment }, cancellationToken: cancellationToken);
        uow.AfterCommit(router.Invalidate);
        await uow.CommitAsync(cancellationToken);
        return await GetAsync(id, cancellationToken);
    }

    /// <summary>Rejects: nothing moves; the experiment continues.</summary>
    public async Task<PromotionProposal> RejectAsync(string id, string comment, AuditScope scope, CancellationToken cancellationToken = default)
    {
        RequireComment(comment);
        var proposal = await PendingAsync(id, scope.Actor, "reject", cancellationToken);
        await using var uow = await database.BeginAsync(cancellationToken);
        await DecideAsync(uow, id, "rejected", comment, scope.Actor, cancellationToken);
        await audit.AppendAsync(uow, scope, "promotions.reject", $"proposal:{id}",
            new { experiment = proposal.ExperimentName, proposal.Version, proposal.Alias, comment }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return await GetAsync(id, cancellationToken);
    }

    private async Task<PromotionProposal> GetAsync(string id, CancellationToken cancellationToken) =>
        (await FindAsync(id, cancellationToken)).ToContract();

    private async Task<ProposalRow> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ProposalRow>(new CommandDefinition(ProposalRow.Select + " WHERE p.id = @id", new { id },
                   cancellationToken: cancellationToken))
               ?? throw WardenProblemException.NotFound($"Promotion proposal '{id}'");
    }

    private async Task<ProposalRow> PendingAsync(string id, AuditActor actor, string verb, CancellationToken cancellationToken)
    {
        var proposal = await FindAsync(id, cancellationToken);
        if (proposal.Status != "pending")
        {
            throw WardenProblemException.Conflict($"Proposal {id} is already {proposal.Status}.");
        }

        if (string.Equals(proposal.ProposedByPerson, actor.Person, StringComparison.Ordinal))
        {
            throw new WardenProblemException(StatusCodes.Status403Forbidden, "Segregation of duties.",
                $"Segregation of duties: {actor.Name} owns experiment '{proposal.ExperimentName}', which proposed this promotion, and cannot {verb} it.");
        }

        return proposal;
    }

    private Task DecideAsync(UnitOfWork uow, string id, string status, string comment, AuditActor actor, CancellationToken cancellationToken) =>
        uow.ExecuteAsync(
            "UPDATE promotion_proposals SET status = @status, decided_at = @now, decided_by_name = @name, decided_by_person = @person, comment = @comment WHERE id = @id",
            new { status, now = time.GetUtcNow().ToUnixTimeMilliseconds(), name = actor.Name, person = actor.Person, comment, id }, cancellationToken);

    private static void RequireComment(string? comment)
    {
        if (string.IsNullOrWhiteSpace(comment) || comment.Length > 4000)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["comment"] = ["is required (1–4,000 characters)"] });
        }
    }
}
