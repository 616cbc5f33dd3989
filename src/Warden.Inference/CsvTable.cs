using System.Text;

namespace Warden.Inference;

/// <summary>A CSV file in memory (RFC 4180: comma-separated, optional double quotes, "" escapes a quote,
/// CRLF or LF line ends), with a header row naming the columns.</summary>
public sealed class CsvTable
{
    private readonly IReadOnlyDictionary<string, int> _index;

    private CsvTable(IReadOnlyList<string> columns, List<string[]> rows, IReadOnlyDictionary<string, int>? index = null)
    {
        Columns = columns;
        Rows = rows;
        _index = index ?? IndexColumns(columns);
    }

    /// <summary>Column name → position for a header; throws <see cref="CsvException"/> when a name appears twice. Callers
    /// that build many tables with the same header (a batcher) index it once and pass it to
    /// <see cref="FromRows(IReadOnlyList{string}, List{string[]}, IReadOnlyDictionary{string, int})"/>.</summary>
    public static Dictionary<string, int> IndexColumns(IReadOnlyList<string> columns)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            if (!index.TryAdd(columns[i], i))
            {
                throw new CsvException($"column '{columns[i]}' appears twice in the header");
            }
        }

        return index;
    }

    /// <summary>Column names from the header.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Data rows (each as long as the header).</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>True when the header has <paramref name="column"/>.</summary>
    public bool Has(string column) => _index.ContainsKey(column);

    /// <summary>The position of <paramref name="column"/> in each row.</summary>
    /// <exception cref="CsvException">The data has no such column.</exception>
    public int IndexOf(string column) =>
        _index.TryGetValue(column, out var i) ? i : throw new CsvException($"the data has no column '{column}'");

    /// <summary>The values of one column.</summary>
    public string[] Column(string column)
    {
        var i = IndexOf(column);
        return Rows.Select(r => r[i]).ToArray();
    }

    /// <summary>A table from rows already split into fields (e.g. JSON records).</summary>
    public static CsvTable FromRows(IReadOnlyList<string> columns, List<string[]> rows) => new(columns, rows);

    /// <summary>A table from rows already split into fields, with the header's index from <see cref="IndexColumns"/>.</summary>
    public static CsvTable FromRows(IReadOnlyList<string> columns, List<string[]> rows, IReadOnlyDictionary<string, int> index) => new(columns, rows, index);

    /// <summary>Parses CSV text; throws <see cref="CsvException"/> naming the line of the first problem.</summary>
    public static CsvTable Parse(string text, int maxRows = 1_000_000)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var i = 0;
        var inQuotes = false;
        var fieldStarted = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    inQuotes = false;
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }

                i++;
                continue;
            }

            switch (c)
            {
                case '"' when !fieldStarted:
                    inQuotes = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    line++;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }

            i++;
        }

        if (inQuotes)
        {
            throw new CsvException($"line {line}: a quoted field is not closed");
        }

        if (fieldStarted || field.Length > 0 || fields.Count > 0)
        {
            EndRecord();
        }

        if (records.Count == 0)
        {
            throw new CsvException("the data is empty (a header row is required)");
        }

        var header = records[0].Select(h => h.Trim()).ToArray();
        for (var r = 1; r < records.Count; r++)
        {
            if (records[r].Length != header.Length)
            {
                throw new CsvException($"row {r + 1} has {records[r].Length} fields but the header has {header.Length}");
            }
        }

        return new CsvTable(header, records.Skip(1).ToList());

        void EndRecord()
        {
            fields.Add(field.ToString());
            field.Clear();
            fieldStarted = false;
            if (!(fields.Count == 1 && fields[0].Length == 0))
            {
                if (records.Count > maxRows)
                {
                    throw new CsvException($"more than {maxRows} rows");
                }

                records.Add([.. fields]);
            }

            fields.Clear();
        }
    }
}

/// <summary>CSV that cannot be read, with the reason.</summary>
public sealed class CsvException(string message) : Exception(message);
