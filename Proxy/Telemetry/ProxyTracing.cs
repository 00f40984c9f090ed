using System.Diagnostics;
using Smcp.Sandbox.Telemetry;

namespace Smcp.Proxy.Telemetry;

/// <summary>
/// The <c>Smcp.Proxy</c> activity source: one span per MCP request the proxy handles (a child of ASP.NET Core's request
/// activity when there is one) and, under it, one span per JSON-RPC request's round trip to the sandbox (write to answer).
/// </summary>
public static class ProxyTracing
{
    public const string SourceName = "Smcp.Proxy";
    public const string RoundTripName = "sandbox round trip";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>The span of one MCP POST, named by its (bucketed) method; null when nobody listens.</summary>
    internal static Activity? StartRequest(string tenant, string? method)
    {
        var bucket = McpMethods.Bucket(method);
        var activity = Source.StartActivity(bucket, ActivityKind.Internal);
        activity?.SetTag(TelemetryTags.Tenant, tenant);
        activity?.SetTag(TelemetryTags.Method, bucket);
        return activity;
    }

    /// <summary>
    /// Starts a round trip under the current span without making it current: the rest of the POST (the next message of a
    /// batch, the answer) stays under the request's span, and the reader loop that ends it does not inherit it.
    /// </summary>
    internal static Activity? StartRoundTrip(string method, string sessionId)
    {
        var current = Activity.Current;
        var activity = Source.StartActivity(RoundTripName, ActivityKind.Client);
        activity?.SetTag(TelemetryTags.Method, McpMethods.Bucket(method));
        activity?.SetTag(TelemetryTags.Session, sessionId);
        Activity.Current = current;
        return activity;
    }

    /// <summary>Ends a round trip on whichever thread the answer came, leaving that thread's current span as it was.</summary>
    internal static void EndRoundTrip(Activity activity, string outcome)
    {
        var current = Activity.Current;
        activity.SetTag(TelemetryTags.Outcome, outcome);
        activity.Stop();
        Activity.Current = current;
    }
}
