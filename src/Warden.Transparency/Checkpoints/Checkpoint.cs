using System.Globalization;
using System.Text;

namespace Warden.Transparency.Checkpoints;

/// <summary>A checkpoint (C2SP tlog-checkpoint): the log's origin, a tree size and the root hash of the tree of that
/// many entries, plus optional extension lines. Its note text, which is what gets signed, is
/// <c>origin\nsize\nbase64(root)\n[extension\n]*</c>.</summary>
public sealed record Checkpoint
{
    /// <summary>Creates a checkpoint, validating every field against the text format.</summary>
    /// <exception cref="ArgumentException">A field cannot be written as a checkpoint line.</exception>
    public Checkpoint(string origin, long treeSize, Sha256Hash rootHash, IReadOnlyList<string>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(origin);
        if (CheckLine(origin) is { } problem)
        {
            throw new ArgumentException($"The origin {problem}.", nameof(origin));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        var lines = extensions?.ToArray() ?? [];
        foreach (var line in lines)
        {
            if (CheckLine(line) is { } lineProblem)
            {
                throw new ArgumentException($"An extension line {lineProblem}.", nameof(extensions));
            }
        }

        Origin = origin;
        TreeSize = treeSize;
        RootHash = rootHash;
        Extensions = lines;
    }

    /// <summary>The log's identity, by convention a schema-less URL such as <c>warden.example.com/audit</c>.</summary>
    public string Origin { get; }

    /// <summary>The number of entries in the tree.</summary>
    public long TreeSize { get; }

    /// <summary>MTH of the first <see cref="TreeSize"/> entries.</summary>
    public Sha256Hash RootHash { get; }

    /// <summary>Extension lines after the root (none for Warden today); they are covered by the signature.</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>The note text: one line per field, each ending in a newline. This exact UTF-8 text is signed.</summary>
    public string ToNoteText()
    {
        var text = new StringBuilder();
        text.Append(Origin).Append('\n')
            .Append(TreeSize.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(RootHash.ToBase64()).Append('\n');
        foreach (var line in Extensions)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Parses note text (as produced by <see cref="ToNoteText"/>).</summary>
    /// <exception cref="FormatException">What is wrong, naming the line.</exception>
    public static Checkpoint ParseNoteText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseNoteText(text, out var checkpoint, out var problem) ? checkpoint : throw new FormatException(problem);
    }

    /// <summary>Parses note text; false with the reason (naming the line) when it is not a checkpoint.</summary>
    public static bool TryParseNoteText(
        string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Checkpoint? checkpoint,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        checkpoint = null;
        if (!text.EndsWith('\n'))
        {
            problem = "the checkpoint text does not end with a newline";
            return false;
        }

        var lines = text[..^1].Split('\n');
        if (lines.Length < 3)
        {
            problem = $"a checkpoint has at least 3 lines (origin, tree size, root hash), this one has {lines.Length}";
            return false;
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (CheckLine(lines[i]) is { } lineProblem)
            {
                problem = $"line {i + 1} {lineProblem}";
                return false;
            }
        }

        var sizeText = lines[1];
        if (!sizeText.All(char.IsAsciiDigit) || (sizeText.Length > 1 && sizeText[0] == '0')
            || !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            problem = $"line 2 (tree size) is \"{Clip(sizeText)}\", not a decimal number without sign or leading zeros";
            return false;
        }

        if (!Sha256Hash.TryFromBase64(lines[2], out var root))
        {
            problem = $"line 3 (root hash) is \"{Clip(lines[2])}\", not the base64 form of a 32-byte hash";
            return false;
        }

        checkpoint = new Checkpoint(lines[0], size, root, lines[3..]);
        problem = null;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(Checkpoint? other) =>
        other is not null
        && string.Equals(Origin, other.Origin, StringComparison.Ordinal)
        && TreeSize == other.TreeSize
        && RootHash == other.RootHash
        && Extensions.SequenceEqual(other.Extensions, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Origin, TreeSize, RootHash);

    /// <summary>Why a line cannot appear in a checkpoint, or null when it can.</summary>
    internal static string? CheckLine(string line)
    {
        if (line.Length == 0)
        {
            return "is empty";
        }

        foreach (var c in line)
        {
            if (c < 0x20 || c == 0x7f)
            {
                return $"contains the control character U+{(int)c:X4}";
            }
        }

        return null;
    }

    internal static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
