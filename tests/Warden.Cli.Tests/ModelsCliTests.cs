using System.Text.Json;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Cli.Tests;

/// <summary>The tier-1 path end to end through the `warden models` verbs against a running server, refusals included.</summary>
public sealed class ModelsCliTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private WardenTestHost _host = null!;
    private Team _team = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _host = await WardenTestHost.StartAsync();
        _team = await Team.CreateAsync(_host);
        _dir = Directory.CreateTempSubdirectory("warden-cli-").FullName;
    }

    public async Task DisposeAsync()
    {
        _team.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<CliRunner.Result> As(string member, params string[] args) =>
        CliRunner.RunAsync([.. args, "--server", _host.BaseAddress.ToString(), "--api-key", _team.Secrets[member]]);

    private string WriteFile(string name, byte[] content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string WriteJson(string name, object value) => WriteFile(name, JsonSerializer.SerializeToUtf8Bytes(value, Json));

    [Fact]
    public async Task The_tier_1_path_works_through_the_cli_including_the_refusals()
    {
        var create = await As("developer", "models", "create", "credit-risk", "--owner", "retail-credit-risk", "--tier", "1", "--description", "Repayment probability",
            "--sensitive", "Personal", "--sensitive", "Age:25", "--threshold", "roc_auc>=0.7", "--tag", "credit");
        Assert.True(create.ExitCode == 0, create.Error);
        Assert.Contains("Registered model credit-risk (tier 1", create.Output, StringComparison.Ordinal);

        var model = WriteFile("model.zip", GermanCredit.MlNetModel);
        var training = WriteFile("german_credit.csv", File.ReadAllBytes(GermanCredit.Fixture("german_credit.csv")));
        var meta = WriteJson("meta.json", new UploadVersionMetadata(DataClassification: [new FeatureClassification("Age", "personal")]));
        var upload = await As("developer", "models", "upload", "credit-risk", model, "--label-column", "Label", "--metadata", meta,
            "--training-data", training, "--code-ref", "git:4f2a9c1", "--param", "trainer=lbfgs", "--train-metric", "auc=0.79", "--json");
        Assert.True(upload.ExitCode == 0, upload.Error);
        var version = JsonSerializer.Deserialize<ModelVersionInfo>(upload.Output, Json)!;
        Assert.Equal(1000, version.Lineage.TrainingData!.Rows);
        Assert.Equal("git:4f2a9c1", version.Lineage.CodeReference);
        Assert.Equal(0.79, version.Lineage.TrainingMetrics!["auc"]);

        var card = WriteJson("card.json", new ModelCard("Ranking loan applications for review", "Automated rejection", "German credit rows 1–700",
            "German credit rows 701–1000", "ROC AUC, F1, disparate impact", "Age and sex are protected characteristics", "1990s sample; recalibrate"));
        Assert.Equal(0, (await As("developer", "models", "card", "credit-risk", "1", "--set", card)).ExitCode);
        var markdown = await As("developer", "models", "card", "credit-risk", "1", "--markdown");
        Assert.Contains("## Intended use", markdown.Output, StringComparison.Ordinal);
        Assert.Contains("Ranking loan applications", markdown.Output, StringComparison.Ordinal);

        Assert.Equal(0, (await As("developer", "models", "submit", "credit-risk", "1", "--reason", "ready for validation")).ExitCode);
        var holdout = WriteFile("holdout.csv", GermanCredit.HoldoutCsv());
        var validate = await As("validator", "models", "validate", "credit-risk", "1", "--data", holdout, "--label", "Class", "--positive", "Good",
            "--sign-off", "independent validation: discrimination and stability acceptable");
        Assert.True(validate.ExitCode == 0, validate.Error);
        Assert.Contains("roc_auc", validate.Output, StringComparison.Ordinal);
        Assert.Contains("is validated", validate.Output, StringComparison.Ordinal);

        // The author, even holding the approver role, cannot approve her own version: 403 naming the rule.
        using (var admin = _host.Client())
        {
            var dana = await admin.CreateKeyAsync(new CreateApiKeyRequest("dana-approver", [Roles.Approver], null, "dana@bank.example"));
            _team.Secrets["dana-approver"] = dana.Secret;
        }

        var own = await As("dana-approver", "models", "approve", "credit-risk", "1", "--comment", "my own model is fine");
        Assert.Equal(WardenCli.Failed, own.ExitCode);
        Assert.Contains("403", own.Error, StringComparison.Ordinal);
        Assert.Contains("Segregation of duties", own.Error, StringComparison.Ordinal);

        // A failing gate: 409 listing it.
        var blocked = await As("approver1", "models", "approve", "credit-risk", "1", "--comment", "approve");
        Assert.Equal(WardenCli.Failed, blocked.ExitCode);
        Assert.Contains("409", blocked.Error, StringComparison.Ordinal);
        Assert.Contains("personal_data_justified", blocked.Error, StringComparison.Ordinal);

        var gates = JsonSerializer.Deserialize<GateReport>((await As("admin", "models", "gates", "credit-risk", "1", "--json")).Output, Json)!;
        foreach (var failing in gates.Gates.Where(g => g.Status == "fail"))
        {
            var exception = await As("admin", "models", "gate-exception", "credit-risk", "1", "--gate", failing.Gate,
                "--justification", $"Accepted by the model risk committee on 2026-11-20 ({failing.Gate}).");
            Assert.True(exception.ExitCode == 0, exception.Error);
        }

        Assert.Contains("excepted", (await As("admin", "models", "gates", "credit-risk", "1")).Output, StringComparison.Ordinal);
        Assert.Equal(0, (await As("approver1", "models", "approve", "credit-risk", "1", "--comment", "approved: within appetite")).ExitCode);
        var second = await As("approver2", "models", "approve", "credit-risk", "1", "--comment", "approved");
        Assert.Contains("is approved", second.Output, StringComparison.Ordinal);

        var promote = await As("operator", "models", "promote", "credit-risk", "1", "--alias", "champion", "--reason", "first release");
        Assert.True(promote.ExitCode == 0, promote.Error);
        Assert.Contains("'champion' now points to v1", promote.Output, StringComparison.Ordinal);

        var at = DateTimeOffset.UtcNow.AddSeconds(1).ToString("O");
        var history = await As("validator", "models", "history", "credit-risk", "--alias", "champion", "--at", at);
        Assert.True(history.ExitCode == 0, history.Error);
        Assert.Contains("was v1", history.Output, StringComparison.Ordinal);
        Assert.Contains("alice@bank.example", history.Output, StringComparison.Ordinal);
        Assert.Contains("bob@bank.example", history.Output, StringComparison.Ordinal);

        var list = await As("validator", "models", "list", "--tier", "1");
        Assert.Contains("champion→v1", list.Output, StringComparison.Ordinal);
        var show = await As("validator", "models", "show", "credit-risk", "--version", "1");
        Assert.Contains("approval by approver1 (alice@bank.example)", show.Output, StringComparison.Ordinal);
        var lifecycle = await As("validator", "models", "history", "credit-risk", "--version", "1");
        Assert.Contains("submitted", lifecycle.Output, StringComparison.Ordinal);

        var retire = await As("operator", "models", "retire", "credit-risk", "1", "--reason", "end of life");
        Assert.Equal(0, retire.ExitCode);
        var afterRetire = await As("operator", "models", "rollback", "credit-risk", "--alias", "champion", "--reason", "try");
        Assert.Equal(WardenCli.Failed, afterRetire.ExitCode);
    }

    [Fact]
    public async Task Bad_model_input_gets_one_line_errors()
    {
        var badName = await As("developer", "models", "create", "Bad Name", "--owner", "x", "--tier", "1");
        Assert.Equal(WardenCli.Failed, badName.ExitCode);
        Assert.Contains("name", badName.Error, StringComparison.Ordinal);
        var badThreshold = await As("developer", "models", "create", "ok-name", "--owner", "x", "--tier", "1", "--threshold", "auc>0.7");
        Assert.Contains("--threshold 'auc>0.7'", badThreshold.Error, StringComparison.Ordinal);
        await As("developer", "models", "create", "ok-name", "--owner", "x", "--tier", "3");
        var corrupt = await As("developer", "models", "upload", "ok-name", WriteFile("junk.onnx", "not a model"u8.ToArray()));
        Assert.Equal(WardenCli.Failed, corrupt.ExitCode);
        Assert.Contains("400", corrupt.Error, StringComparison.Ordinal);
        var missing = await As("developer", "models", "upload", "ok-name", Path.Combine(_dir, "nope.onnx"));
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
        var forbidden = await As("validator", "models", "create", "val-model", "--owner", "x", "--tier", "2");
        Assert.Contains("WriteModels", forbidden.Error, StringComparison.Ordinal);
    }
}
