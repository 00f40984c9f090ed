using System.Collections.Concurrent;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Smcp.Tests.Servers.Conformance.Resources;

/// <summary>
/// resources/subscribe and resources/unsubscribe (scenarios resources-subscribe and
/// resources-unsubscribe). A stdio server process serves exactly one session, so the set of
/// subscribed URIs is per process.
/// </summary>
internal sealed class SubscriptionRegistry
{
    private readonly ConcurrentDictionary<string, byte> _uris = new(StringComparer.Ordinal);

    public bool IsSubscribed(string uri) => _uris.ContainsKey(uri);

    public static ValueTask<EmptyResult> SubscribeAsync(
        RequestContext<SubscribeRequestParams> context, CancellationToken cancellationToken)
    {
        var uri = RequireUri(context.Params?.Uri);
        Get(context).Add(uri);
        return ValueTask.FromResult(new EmptyResult());
    }

    public static ValueTask<EmptyResult> UnsubscribeAsync(
        RequestContext<UnsubscribeRequestParams> context, CancellationToken cancellationToken)
    {
        var uri = RequireUri(context.Params?.Uri);
        Get(context).Remove(uri);
        return ValueTask.FromResult(new EmptyResult());
    }

    public void Add(string uri) => _uris.TryAdd(uri, 0);

    public bool Remove(string uri) => _uris.TryRemove(uri, out _);

    private static SubscriptionRegistry Get<TParams>(RequestContext<TParams> context) =>
        context.Services?.GetService(typeof(SubscriptionRegistry)) as SubscriptionRegistry
        ?? throw new InvalidOperationException("SubscriptionRegistry is not registered.");

    private static string RequireUri(string? uri) =>
        string.IsNullOrEmpty(uri)
            ? throw new McpProtocolException("Missing required parameter 'uri'", McpErrorCode.InvalidParams)
            : uri;
}
