namespace Warden.Server.Tests.Infrastructure;

/// <summary>Files of the repository itself (docs that tests keep true).</summary>
public static class RepositoryFiles
{
    /// <summary>The folder holding Warden.slnx, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>An absolute path for a path relative to the repository root.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var directory = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(directory, "Warden.slnx")))
        {
            directory = Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("repository root (Warden.slnx) not found");
        }

        return directory;
    }
}
