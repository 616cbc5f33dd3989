using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Warden.Statistics.Internal;

/// <summary>Reads the persisted state of a sketch or accumulator: malformed or null JSON becomes a
/// <see cref="FormatException"/> naming what was expected.</summary>
internal static class StateJson
{
    /// <summary>The state in <paramref name="json"/>; <paramref name="what"/> names it in errors ("a numeric profile").</summary>
    public static T Read<T>(string json, JsonTypeInfo<T> info, string what)
        where T : class
    {
        T? state;
        try
        {
            state = JsonSerializer.Deserialize(json, info);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The text is not {what}: " + e.Message, e);
        }

        return state ?? throw new FormatException($"The text is not {what} (it is null).");
    }
}
