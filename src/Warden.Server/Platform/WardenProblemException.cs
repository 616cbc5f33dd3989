namespace Warden.Server.Platform;

/// <summary>A client mistake or a refused operation, turned into RFC 7807 problem details by <see cref="ProblemDetailsSetup"/>.</summary>
public sealed class WardenProblemException : Exception
{
    /// <summary>Creates a problem with an HTTP status, a short title and a detail naming what was wrong.</summary>
    public WardenProblemException(int status, string title, string detail, IDictionary<string, string[]>? errors = null)
        : base(detail)
    {
        Status = status;
        Title = title;
        Errors = errors;
    }

    /// <summary>HTTP status code.</summary>
    public int Status { get; }

    /// <summary>Short, fixed summary of the kind of problem.</summary>
    public string Title { get; }

    /// <summary>Field name → messages, for validation problems.</summary>
    public IDictionary<string, string[]>? Errors { get; }

    /// <summary>400 with one message per invalid field.</summary>
    public static WardenProblemException Validation(IDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "The request is invalid.",
            string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))), errors);

    /// <summary>404 for a named thing that does not exist.</summary>
    public static WardenProblemException NotFound(string what) =>
        new(StatusCodes.Status404NotFound, "Not found.", $"{what} does not exist.");

    /// <summary>409 for a request that conflicts with the current state.</summary>
    public static WardenProblemException Conflict(string detail) =>
        new(StatusCodes.Status409Conflict, "Conflict with the current state.", detail);
}

/// <summary>Collects field errors and throws one <see cref="WardenProblemException"/> naming them all.</summary>
public sealed class Validator
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="message"/> against <paramref name="field"/> unless <paramref name="ok"/>.</summary>
    public Validator Require(bool ok, string field, string message)
    {
        if (!ok)
        {
            if (!_errors.TryGetValue(field, out var list))
            {
                _errors[field] = list = [];
            }

            list.Add(message);
        }

        return this;
    }

    /// <summary>Throws a 400 problem if any requirement failed.</summary>
    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw WardenProblemException.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}
