using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Warden.Server.Access;

namespace Warden.Server.Platform;

/// <summary>Per-key rate limits on /api: a token bucket per API key (and a smaller one per client address for calls
/// without a valid key, which slows key guessing). A refused call gets 429 problem details with Retry-After.</summary>
public static class RateLimiting
{
    /// <summary>Registers the limiter from "Warden:RateLimit".</summary>
    public static IHostApplicationBuilder AddWardenRateLimiting(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Warden:RateLimit").Get<RateLimitOptions>() ?? new RateLimitOptions();
        // One limiter per key (partitioned by the key id: Warden's ids never start with "ip:") or per client address.
        var perKey = Factory(options.PerKeyPerSecond, options.PerKeyBurst);
        var perAddress = Factory(options.AnonymousPerSecond, options.AnonymousBurst);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!(context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/v2")) || !options.Enabled)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var actor = Audit.AuditActor.From(context.User);
                return !ReferenceEquals(actor, Audit.AuditActor.Anonymous)
                    ? RateLimitPartition.Get(actor.KeyId, perKey)
                    : RateLimitPartition.Get("ip:" + context.Connection.RemoteIpAddress, perAddress);
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests.",
                        Detail = $"This key (or client, without a key) exceeded its rate limit; retry after {retryAfter} s.",
                    },
                });
            };
        });
        return builder;
    }

    private static Func<string, RateLimiter> Factory(int perSecond, int burst) =>
        _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}

/// <summary>Rate limit settings ("Warden:RateLimit").</summary>
public sealed class RateLimitOptions
{
    /// <summary>Turns limiting on (default) or off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per API key.</summary>
    public int PerKeyPerSecond { get; set; } = 1000;

    /// <summary>Burst size per API key.</summary>
    public int PerKeyBurst { get; set; } = 2000;

    /// <summary>Sustained requests per second per client address without a valid key.</summary>
    public int AnonymousPerSecond { get; set; } = 50;

    /// <summary>Burst per client address without a valid key.</summary>
    public int AnonymousBurst { get; set; } = 100;
}
