namespace Warden.Server.Governance;

/// <summary>Approval policy and compliance gates per risk tier, bound from "Warden:Governance".
/// Defaults follow common model-risk practice (SR 11-7 style): the riskier the model, the more independent eyes.</summary>
public sealed class GovernanceOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Warden:Governance";

    /// <summary>Policies keyed by tier (1 = high risk … 3 = low risk).</summary>
    public Dictionary<int, TierPolicy> Tiers { get; set; } = new()
    {
        [1] = new TierPolicy { Validators = 1, Approvers = 2, ReviewMonths = 12 },
        [2] = new TierPolicy { Validators = 1, Approvers = 1, ReviewMonths = 24 },
        [3] = new TierPolicy { Validators = 0, Approvers = 1, ReviewMonths = 36 },
    };

    /// <summary>Remove stage aliases from versions whose periodic review is overdue (checked every <see cref="ReviewSweepInterval"/>).</summary>
    public bool RemoveAliasWhenReviewOverdue { get; set; } = true;

    /// <summary>How often overdue reviews are looked for.</summary>
    public TimeSpan ReviewSweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest artifact accepted, in bytes.</summary>
    public long MaxArtifactBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest validation data set accepted, in bytes.</summary>
    public long MaxDatasetBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The policy for <paramref name="tier"/>.</summary>
    public TierPolicy For(int tier) => Tiers.TryGetValue(tier, out var p) ? p : new TierPolicy();
}

/// <summary>What one risk tier requires.</summary>
public sealed class TierPolicy
{
    /// <summary>Independent validator sign-offs required.</summary>
    public int Validators { get; set; } = 1;

    /// <summary>Approver sign-offs required.</summary>
    public int Approvers { get; set; } = 1;

    /// <summary>Months from approval to the periodic review.</summary>
    public int ReviewMonths { get; set; } = 12;

    /// <summary>Gates evaluated before approval (ids from <see cref="Gates"/>).</summary>
    public List<string> Gates { get; set; } = [.. Governance.Gates.All];

    /// <summary>Lowest acceptable disparate impact (demographic parity ratio) per sensitive attribute.</summary>
    public double MinDisparateImpact { get; set; } = 0.8;

    /// <summary>Highest acceptable equal-opportunity difference per sensitive attribute.</summary>
    public double MaxEqualOpportunityDifference { get; set; } = 0.1;
}

/// <summary>Compliance gate ids.</summary>
public static class Gates
{
    /// <summary>Every model card section is filled in.</summary>
    public const string ModelCardComplete = "model_card_complete";

    /// <summary>The version has a signature read from its artifact.</summary>
    public const string SignaturePresent = "signature_present";

    /// <summary>The latest validation run meets the model's metric thresholds.</summary>
    public const string ValidationMetrics = "validation_metrics";

    /// <summary>Fairness on every declared sensitive attribute is within bounds.</summary>
    public const string Fairness = "fairness";

    /// <summary>Every feature classified personal or sensitive carries a justification.</summary>
    public const string PersonalDataJustified = "personal_data_justified";

    /// <summary>A periodic review date is set and in the future.</summary>
    public const string ReviewDateSet = "review_date_set";

    /// <summary>All gates, in evaluation order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [ModelCardComplete, SignaturePresent, ValidationMetrics, Fairness, PersonalDataJustified, ReviewDateSet];
}
