using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Platform;

namespace Warden.Server.Alerts;

/// <summary>Delivers alert notifications to webhooks off the evaluation path: JSON bodies signed with HMAC-SHA256 over
/// "timestamp.body" (header X-Warden-Signature: sha256=HEX, X-Warden-Timestamp: Unix seconds — receivers recompute it and
/// reject stale timestamps, as with Stripe's and GitHub's schemes), retried with exponential back-off on network errors,
/// timeouts, 408, 429 and 5xx. Each delivery has an id (X-Warden-Delivery) that stays the same across retries, so receivers
/// can drop duplicates.</summary>
public sealed partial class WebhookNotifier : BackgroundService
{
    private readonly Channel<(string Webhook, string Event, Alert Alert)> _queue =
        Channel.CreateBounded<(string, string, Alert)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    private readonly IOptions<AlertOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookNotifier> _logger;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failed;

    /// <summary>Creates the notifier.</summary>
    public WebhookNotifier(IOptions<AlertOptions> options, TimeProvider time, IMeterFactory meters, ILogger<WebhookNotifier> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        var meter = meters.Create(Telemetry.MeterName);
        _delivered = meter.CreateCounter<long>("warden.alerts.webhook.delivered", unit: "{notification}", description: "Alert notifications a webhook accepted.");
        _failed = meter.CreateCounter<long>("warden.alerts.webhook.failed", unit: "{notification}", description: "Alert notifications given up after every retry.");
    }

    /// <summary>Queues a notification ("alert.fired", "alert.resolved", "alert.acknowledged") for a configured webhook.</summary>
    public void Enqueue(string webhook, string eventType, Alert alert) => _queue.Writer.TryWrite((webhook, eventType, alert));

    /// <summary>The signature of a body: hex HMAC-SHA256 of "timestamp.body" under the secret.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (webhook, eventType, alert) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            // Deliveries run side by side so that one slow receiver does not hold up the others.
            _ = DeliverAsync(webhook, eventType, alert, stoppingToken);
        }
    }

    private async Task DeliverAsync(string webhook, string eventType, Alert alert, CancellationToken cancellationToken)
    {
        if (!_options.Value.Webhooks.TryGetValue(webhook, out var target))
        {
            LogUnknownWebhook(_logger, webhook);
            return;
        }

        var delivery = Guid.CreateVersion7().ToString("N");
        var body = JsonSerializer.SerializeToUtf8Bytes(new { type = eventType, delivery, alert }, JsonSerializerOptions.Web);
        var delay = _options.Value.RetryBaseDelay;
        for (var attempt = 1; attempt <= _options.Value.MaxAttempts; attempt++)
        {
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Warden-Event", eventType);
            request.Headers.Add("X-Warden-Delivery", delivery);
            request.Headers.Add("X-Warden-Attempt", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Warden-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Warden-Signature", "sha256=" + Sign(target.Secret, timestamp, body));
            int? status = null;
            try
            {
                using var response = await _http.SendAsync(request, cancellationToken);
                status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    _delivered.Add(1);
                    return;
                }

                if (status is not (408 or 429) && status < 500)
                {
                    break; // the receiver refuses it; retrying will not help
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogAttemptFailed(_logger, webhook, attempt, e.Message);
            }

            if (attempt < _options.Value.MaxAttempts)
            {
                await Task.Delay(delay, cancellationToken); // real time, even under a test's fake clock
                delay *= 2;
            }
        }

        _failed.Add(1);
        LogGaveUp(_logger, webhook, alert.Id);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert rule names webhook {Webhook}, which is not configured under Warden:Alerts:Webhooks")]
    private static partial void LogUnknownWebhook(ILogger logger, string webhook);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {Webhook} attempt {Attempt} failed: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string webhook, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {Webhook} gave up on alert {Alert} after every retry")]
    private static partial void LogGaveUp(ILogger logger, string webhook, string alert);
}
