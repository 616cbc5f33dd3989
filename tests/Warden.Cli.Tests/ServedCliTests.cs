using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Cli.Tests;

/// <summary>A running server with a team of keys and the German credit ONNX model ("credit": v1 holding champion, and v2
/// holding challenger unless a test class says otherwise), and the CLI run as one member of the team against it.</summary>
public abstract class ServedCliTests : IAsyncLifetime
{
    /// <summary>The server.</summary>
    protected WardenTestHost Host { get; private set; } = null!;

    /// <summary>The team of keys (developer, validator, operator, approvers, admin).</summary>
    protected Team Team { get; private set; } = null!;

    /// <summary>Whether v2 is registered and holds challenger as well.</summary>
    protected virtual bool WithChallenger => true;

    /// <summary>The seven numeric features of the ONNX models.</summary>
    protected static UploadVersionMetadata Numeric { get; } =
        new(Features: GermanCredit.NumericColumns.Select(c => new FeatureSpec(c, FeatureKinds.Numeric, "float32")).ToList());

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Host = await WardenTestHost.StartAsync();
        Team = await Team.CreateAsync(Host);
        await RegistryScenario.ApprovedAsync(Team, "credit", GermanCredit.OnnxModel, "v1.onnx", Numeric);
        if (WithChallenger)
        {
            await RegistryScenario.ApprovedAsync(Team, "credit", File.ReadAllBytes(GermanCredit.Fixture("german_credit_logreg_v2.onnx")), "v2.onnx", Numeric, "challenger");
        }

        await SetUpAsync();
    }

    /// <summary>More set-up for one test class.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Team.Dispose();
        await Host.DisposeAsync();
    }

    /// <summary>Runs the CLI as <paramref name="member"/> of the team.</summary>
    protected Task<CliRunner.Result> As(string member, params string[] args) =>
        CliRunner.RunAsync([.. args, "--server", Host.BaseAddress.ToString(), "--api-key", Team.Secrets[member]]);
}
