using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;

namespace Warden.Server.Privacy;

/// <summary>Warden's data classification taxonomy for logs (Microsoft.Extensions.Compliance): values marked with these
/// attributes in log calls go through a redactor before any sink sees them.</summary>
public static class WardenTaxonomy
{
    /// <summary>Taxonomy name.</summary>
    public const string Name = "Warden";

    /// <summary>Personal data: identifies a person (e-mail, name, subject id).</summary>
    public static DataClassification Personal { get; } = new(Name, "Personal");

    /// <summary>Sensitive data: special categories and secrets.</summary>
    public static DataClassification Sensitive { get; } = new(Name, "Sensitive");
}

/// <summary>Marks a log parameter as personal data.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PersonalDataAttribute() : DataClassificationAttribute(WardenTaxonomy.Personal);

/// <summary>Marks a log parameter as sensitive data.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SensitiveDataAttribute() : DataClassificationAttribute(WardenTaxonomy.Sensitive);

/// <summary>Replaces a classified value with a short tag naming its class, e.g. "[redacted:Personal]".</summary>
public sealed class TagRedactor(string tag) : Redactor
{
    /// <inheritdoc />
    public override int GetRedactedLength(ReadOnlySpan<char> input) => tag.Length;

    /// <inheritdoc />
    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        tag.AsSpan().CopyTo(destination);
        return tag.Length;
    }
}

/// <summary>Registers the redactors and turns redaction on for every logger.</summary>
public static class LogRedactionSetup
{
    /// <summary>Personal and sensitive values are replaced by tags; unclassified values pass unchanged.</summary>
    public static IHostApplicationBuilder AddWardenLogRedaction(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<PersonalTagRedactor>(new DataClassificationSet(WardenTaxonomy.Personal));
            redaction.SetRedactor<SensitiveTagRedactor>(new DataClassificationSet(WardenTaxonomy.Sensitive));
            redaction.SetFallbackRedactor<ErasingRedactor>();
        });
        builder.Logging.EnableRedaction();
        return builder;
    }

    /// <summary>The personal-data redactor.</summary>
    public sealed class PersonalTagRedactor() : Redactor
    {
        private readonly TagRedactor _inner = new("[redacted:personal]");

        /// <inheritdoc />
        public override int GetRedactedLength(ReadOnlySpan<char> input) => _inner.GetRedactedLength(input);

        /// <inheritdoc />
        public override int Redact(ReadOnlySpan<char> source, Span<char> destination) => _inner.Redact(source, destination);
    }

    /// <summary>The sensitive-data redactor.</summary>
    public sealed class SensitiveTagRedactor() : Redactor
    {
        private readonly TagRedactor _inner = new("[redacted:sensitive]");

        /// <inheritdoc />
        public override int GetRedactedLength(ReadOnlySpan<char> input) => _inner.GetRedactedLength(input);

        /// <inheritdoc />
        public override int Redact(ReadOnlySpan<char> source, Span<char> destination) => _inner.Redact(source, destination);
    }
}
