using Microsoft.Extensions.DependencyInjection;
using Warden.Contracts;
using Warden.Server.Monitoring;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Cli.Tests;

/// <summary>`warden experiments` against a running server with two approved versions of the German credit model.</summary>
public sealed class ExperimentsCliTests : IAsyncLifetime
{
    private WardenTestHost _host = null!;
    private Team _team = null!;

    public async Task InitializeAsync()
    {
        _host = await WardenTestHost.StartAsync();
        _team = await Team.CreateAsync(_host);
        var numeric = new UploadVersionMetadata(Features: GermanCredit.NumericColumns.Select(c => new FeatureSpec(c, FeatureKinds.Numeric, "float32")).ToList());
        await RegistryScenario.ApprovedAsync(_team, "credit", GermanCredit.OnnxModel, "v1.onnx", numeric);
        await RegistryScenario.ApprovedAsync(_team, "credit", File.ReadAllBytes(GermanCredit.Fixture("german_credit_logreg_v2.onnx")), "v2.onnx", numeric, "challenger");
    }

    public async Task DisposeAsync()
    {
        _team.Dispose();
        await _host.DisposeAsync();
    }

    private Task<CliRunner.Result> As(string member, params string[] args) =>
        CliRunner.RunAsync([.. args, "--server", _host.BaseAddress.ToString(), "--api-key", _team.Secrets[member]]);

    [Fact]
    public async Task Create_start_results_list_and_stop_an_ab_test()
    {
        var created = await As("developer", "experiments", "create", "credit-ab", "--model", "credit", "--arm", "control=1", "--arm", "treatment=2",
            "--metric", "repaid", "--metric", "complaint:binomial:guardrail", "--mde", "0.1", "--baseline", "0.3");
        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Contains("control v1 via 'champion' 50", created.Output, StringComparison.Ordinal);
        Assert.Contains("planned", created.Output, StringComparison.Ordinal);
        var started = await As("developer", "experiments", "start", "credit-ab", "--reason", "go");
        Assert.True(started.ExitCode == 0, started.Error);
        Assert.Contains("is running", started.Output, StringComparison.Ordinal);

        var versions = new Dictionary<string, int>();
        for (var u = 0; u < 120; u++)
        {
            var answer = await _team.Developer.PredictAsync("credit", [GermanCredit.NumericColumns.ToDictionary(c => c, c => (object?)2.0)], unitId: $"c{u}");
            versions[$"c{u}"] = answer.Version;
        }

        var feedback = versions.Select(kv => new FeedbackEvent(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, "credit", null, kv.Key, null,
            new Dictionary<string, double> { ["repaid"] = int.Parse(kv.Key[1..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0 ? 1 : 0 })).ToList();
        foreach (var listener in _host.App.Services.GetServices<IFeedbackListener>())
        {
            await listener.OnFeedbackAsync(feedback, CancellationToken.None);
        }

        var results = await As("operator", "experiments", "results", "credit-ab");
        Assert.True(results.ExitCode == 0, results.Error);
        Assert.Contains("120 units", results.Output, StringComparison.Ordinal);
        Assert.Contains("SRM: ok", results.Output, StringComparison.Ordinal);
        Assert.Contains("Always-valid CI", results.Output, StringComparison.Ordinal);
        Assert.Contains("repaid", results.Output, StringComparison.Ordinal);
        var json = await As("operator", "experiments", "results", "credit-ab", "--json");
        Assert.Contains("\"sequential\"", json.Output, StringComparison.Ordinal);

        var list = await As("operator", "experiments", "list", "--status", "running");
        Assert.Contains("credit-ab", list.Output, StringComparison.Ordinal);
        var stopped = await As("operator", "experiments", "stop", "credit-ab", "--reason", "enough");
        Assert.True(stopped.ExitCode == 0, stopped.Error);
        Assert.Contains("is stopped", stopped.Output, StringComparison.Ordinal);

        var bad = await As("developer", "experiments", "create", "x", "--model", "credit", "--arm", "a=one", "--arm", "b=2", "--metric", "m");
        Assert.Equal(WardenCli.Failed, bad.ExitCode);
        Assert.Contains("version must be a number", bad.Error, StringComparison.Ordinal);
        var missing = await As("operator", "experiments", "results", "nope");
        Assert.Equal(WardenCli.Failed, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
    }
}
