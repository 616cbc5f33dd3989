namespace Warden.Server.Alerts;

/// <summary>Alert settings ("Warden:Alerts").</summary>
public sealed class AlertOptions
{
    /// <summary>How often every rule is evaluated.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Webhooks by name; rules refer to them by name so that secrets stay in the server's configuration.</summary>
    public Dictionary<string, WebhookOptions> Webhooks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Delivery attempts per notification (the first one included).</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Delay before the first retry; doubled for each further one (1 s, 2 s, 4 s …).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>One webhook receiver.</summary>
public sealed class WebhookOptions
{
    /// <summary>Where notifications are POSTed (https, or http on loopback).</summary>
    public string Url { get; set; } = "";

    /// <summary>The shared secret of the HMAC-SHA256 signature (X-Warden-Signature).</summary>
    public string Secret { get; set; } = "";
}
