using Microsoft.ML;
using Microsoft.ML.Data;

namespace Warden.Inference;

/// <summary>An ML.NET <see cref="IDataView"/> over columns held in memory, so scoring never writes request data to disk.
/// Supports the scalar column types ML.NET tabular models take: float, double, bool, int, long and text.</summary>
internal sealed class InMemoryDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly int _rows;

    public InMemoryDataView(DataViewSchema schema, Array[] columns, int rows)
    {
        Schema = schema;
        _columns = columns;
        _rows = rows;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    /// <summary>Builds the schema for the given (name, type) columns.</summary>
    public static DataViewSchema SchemaOf(IEnumerable<(string Name, DataViewType Type)> columns)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var (name, type) in columns)
        {
            builder.AddColumn(name, type);
        }

        return builder.ToSchema();
    }

    private sealed class Cursor(InMemoryDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext() => ++_position < view._rows;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var data = view._columns[column.Index];
            if (typeof(TValue) == typeof(ReadOnlyMemory<char>))
            {
                var strings = (string[])data;
                ValueGetter<ReadOnlyMemory<char>> text = (ref ReadOnlyMemory<char> value) => value = strings[_position].AsMemory();
                return (ValueGetter<TValue>)(Delegate)text;
            }

            var typed = (TValue[])data;
            return (ref TValue value) => value = typed[_position];
        }
    }
}
