using System.ComponentModel.DataAnnotations;

namespace Warden.Server.Platform;

/// <summary>Server settings, bound from the "Warden" configuration section (appsettings, WARDEN_* variables, command line).</summary>
public sealed class WardenOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Warden";

    /// <summary>Folder for the embedded database and local files (WARDEN_DATA, --data).</summary>
    [Required]
    public string DataDirectory { get; set; } = "./warden-data";

    /// <summary>PostgreSQL connection string (WARDEN_POSTGRES, --postgres); when set, PostgreSQL replaces SQLite.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>The first admin key to create when no key exists (WARDEN_BOOTSTRAP_KEY); generated and printed when empty.</summary>
    public string? BootstrapKey { get; set; }

    /// <summary>Folder holding key-encryption keys (WARDEN_KEY_DIR); default DATA/keys. Put it on another volume than the data.</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>A single key-encryption key, 32 bytes base64 (WARDEN_KEK), used instead of key files.</summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>Largest request body accepted, in bytes (larger ones get 413).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long shutdown waits for in-flight requests to finish.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a verified API key stays cached before the database is asked again.
    /// Revocations on this replica evict at once; the TTL bounds how long other replicas may still accept a revoked key.</summary>
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Console log format: "text" for people, "json" for log shippers.</summary>
    [RegularExpression("^(text|json)$")]
    public string LogFormat { get; set; } = "text";

    /// <summary>When true, /metrics needs an API key like /api does.</summary>
    public bool MetricsRequireKey { get; set; }
}
