namespace Warden.Privacy;

/// <summary>
/// One detection of personal data in a text.
/// </summary>
/// <remarks>
/// <see cref="Start"/> and <see cref="End"/> are offsets in UTF-16 code units into the analysed
/// <see cref="string"/> (the unit of <see cref="string.Length"/> and <see cref="string.Substring(int, int)"/>),
/// not bytes, code points or grapheme clusters. <see cref="End"/> is exclusive: the detected value is
/// <c>text[Start..End]</c>.
/// </remarks>
/// <param name="EntityType">The kind of data, such as <c>EMAIL_ADDRESS</c> (see <see cref="EntityTypes"/>).</param>
/// <param name="Start">Offset of the first UTF-16 code unit of the value.</param>
/// <param name="End">Offset one past the last UTF-16 code unit of the value (exclusive).</param>
/// <param name="Score">Confidence from 0 to 1; 1 means a checksum or structural validation confirmed the value.</param>
/// <param name="Recognizer">The name of the recognizer that produced the detection.</param>
/// <param name="Explanation">How the score was reached: pattern, validation and context, for audits and tuning.</param>
public sealed record PiiMatch(string EntityType, int Start, int End, double Score, string Recognizer, string Explanation)
{
    /// <summary>The number of UTF-16 code units covered, <c>End - Start</c>.</summary>
    public int Length => End - Start;
}
