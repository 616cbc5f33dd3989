using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Warden.Contracts;
using Warden.Inference;

namespace Warden.Server.Tests.Infrastructure;

/// <summary>The German credit data set (tests/…/Fixtures/german_credit.csv, see its README) and an ML.NET model
/// trained on it: the first 700 rows train, the last 300 are the hold-out.</summary>
public static class GermanCredit
{
    private static readonly Lazy<byte[]> Model = new(Train);

    /// <summary>The whole CSV.</summary>
    public static string Csv => File.ReadAllText(Fixture("german_credit.csv"));

    /// <summary>Rows 700–999 as CSV (header included).</summary>
    public static byte[] HoldoutCsv()
    {
        var lines = File.ReadAllLines(Fixture("german_credit.csv"));
        return System.Text.Encoding.UTF8.GetBytes(string.Join('\n', new[] { lines[0] }.Concat(lines.Skip(701))) + "\n");
    }

    /// <summary>An ML.NET logistic regression zip (label "Label" = Class is Good), trained once per test run.</summary>
    public static byte[] MlNetModel => Model.Value;

    /// <summary>The ONNX fixture made by make_fixtures.py.</summary>
    public static byte[] OnnxModel => File.ReadAllBytes(Fixture("german_credit_logreg.onnx"));

    /// <summary>The seven numeric columns the ONNX model takes, in order.</summary>
    public static readonly string[] NumericColumns =
        ["Duration", "Amount", "InstallmentRatePercentage", "ResidenceDuration", "Age", "NumberExistingCredits", "NumberPeopleMaintenance"];

    /// <summary>Upload metadata for the ONNX models: the seven numeric columns, classified public (synthetic use in tests).</summary>
    public static readonly UploadVersionMetadata NumericPublic = new(
        Features: NumericColumns.Select(c => new FeatureSpec(c, FeatureKinds.Numeric, "float32")).ToList(),
        DataClassification: NumericColumns.Select(c => new FeatureClassification(c, "public")).ToList());

    /// <summary>Path of a fixture file.</summary>
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static byte[] Train()
    {
        var table = CsvTable.Parse(Csv);
        var rows = Enumerable.Range(0, 700).Select(i => Row(table, i)).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        string[] categorical = ["CheckingAccountStatus", "CreditHistory", "Purpose", "SavingsAccountBonds", "EmploymentDuration", "Personal", "Housing"];
        string[] numeric = [.. NumericColumns, "Telephone", "ForeignWorker"];
        var pipeline = ml.Transforms.Categorical.OneHotEncoding(categorical.Select(c => new InputOutputColumnPair(c + "_", c)).ToArray())
            .Append(ml.Transforms.Concatenate("Features", [.. numeric, .. categorical.Select(c => c + "_")]))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
        var model = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        return stream.ToArray();
    }

    private static CreditRow Row(CsvTable table, int i)
    {
        string S(string c) => table.Rows[i][table.IndexOf(c)];
        float F(string c) => float.Parse(S(c), CultureInfo.InvariantCulture);
        return new CreditRow
        {
            Duration = F("Duration"), Amount = F("Amount"), InstallmentRatePercentage = F("InstallmentRatePercentage"),
            ResidenceDuration = F("ResidenceDuration"), Age = F("Age"), NumberExistingCredits = F("NumberExistingCredits"),
            NumberPeopleMaintenance = F("NumberPeopleMaintenance"), Telephone = F("Telephone"), ForeignWorker = F("ForeignWorker"),
            CheckingAccountStatus = S("CheckingAccountStatus"), CreditHistory = S("CreditHistory"), Purpose = S("Purpose"),
            SavingsAccountBonds = S("SavingsAccountBonds"), EmploymentDuration = S("EmploymentDuration"), Personal = S("Personal"),
            Housing = S("Housing"), Label = S("Class") == "Good",
        };
    }

    /// <summary>The training row type (its schema is saved with the model).</summary>
    public sealed class CreditRow
    {
        public float Duration { get; set; }
        public float Amount { get; set; }
        public float InstallmentRatePercentage { get; set; }
        public float ResidenceDuration { get; set; }
        public float Age { get; set; }
        public float NumberExistingCredits { get; set; }
        public float NumberPeopleMaintenance { get; set; }
        public float Telephone { get; set; }
        public float ForeignWorker { get; set; }
        public string CheckingAccountStatus { get; set; } = "";
        public string CreditHistory { get; set; } = "";
        public string Purpose { get; set; } = "";
        public string SavingsAccountBonds { get; set; } = "";
        public string EmploymentDuration { get; set; } = "";
        public string Personal { get; set; } = "";
        public string Housing { get; set; } = "";
        public bool Label { get; set; }
    }
}
