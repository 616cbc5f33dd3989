using Microsoft.AspNetCore.Http.Features;

namespace Warden.Server.Platform;

/// <summary>Endpoint metadata raising (or lowering) the request body limit for one endpoint, e.g. artifact uploads.</summary>
public sealed record BodySizeLimit(long Bytes);

/// <summary>Applies <see cref="BodySizeLimit"/> before the body is read.</summary>
public static class BodySizeLimitMiddleware
{
    /// <summary>Sets an endpoint's body limit; place after routing.</summary>
    public static IApplicationBuilder UseWardenBodySizeLimits(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<BodySizeLimit>() is { } limit &&
            context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit.Bytes;
        }

        return next(context);
    });

    /// <summary>Allows bodies up to <paramref name="bytes"/> on this endpoint.</summary>
    public static TBuilder WithBodySizeLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodySizeLimit(bytes));
}
