using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Smcp.Proxy.Http;
using Smcp.Proxy.Json;
using Smcp.Sandbox;

namespace Smcp.Proxy.Sessions;

/// <summary>
/// Which revision a sandbox's stdio server speaks, found before its stateless session starts reading: a server that lists
/// 2026-07-28 in its <c>server/discover</c> answer is passed through; any other is an older server, which SMCP
/// initializes itself and whose <c>server/discover</c> it answers from the <c>initialize</c> result.
/// </summary>
internal sealed class StatelessServer
{
    private const string DiscoverId = "\"smcp-discover\"";
    private const string InitializeId = "\"smcp-initialize\"";

    private StatelessServer(JsonObject? discoverResult) => DiscoverResult = discoverResult;

    /// <summary>The <c>server/discover</c> result SMCP answers for a bridged older server; null when the server answers it itself.</summary>
    public JsonObject? DiscoverResult { get; }

    public bool IsBridged => DiscoverResult is not null;

    /// <summary>Probes the server, and initializes it when it is older; null when it answered neither within <paramref name="timeout"/>.</summary>
    public static async Task<StatelessServer?> ProbeAsync(RunningSandbox sandbox, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            JsonNode? discover = null;
            using (var discoverDeadline = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token))
            {
                // An older server may drop a request that comes before initialize: it then gets initialize after this wait.
                discoverDeadline.CancelAfter(timeout / 3);
                try
                {
                    discover = await AskAsync(sandbox, DiscoverId,
                        "\"method\":\"server/discover\",\"params\":{\"_meta\":{\"" + StatelessEnvelope.VersionKey + "\":\"" + StatelessEnvelope.Version
                        + "\",\"" + StatelessEnvelope.CapabilitiesKey + "\":{}}}", discoverDeadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                {
                    // No answer to server/discover: an older server.
                }
            }

            if (discover?["result"]?["supportedVersions"] is JsonArray versions && versions.Any(v => v?.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == StatelessEnvelope.Version))
            {
                return new StatelessServer(null);
            }

            var initialize = await AskAsync(sandbox, InitializeId,
                "\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"smcp\",\"version\":\"1\"}}",
                deadline.Token).ConfigureAwait(false);
            if (initialize?["result"] is not JsonObject result)
            {
                return null;
            }

            await sandbox.SendAsync("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"u8.ToArray(), deadline.Token).ConfigureAwait(false);
            return new StatelessServer(DiscoverFrom(result));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // The sandbox ended before it answered.
            return null;
        }
    }

    /// <summary>
    /// The answer SMCP gives a bridged server's request without forwarding it: <c>server/discover</c> from the initialize
    /// result, and method-not-found for what 2026-07-28 removed; null for what goes to the server.
    /// </summary>
    public byte[]? LocalAnswer(JsonRpcMessage request)
    {
        if (DiscoverResult is not { } discover || request.Id is not { } id)
        {
            return null;
        }

        if (request.Method == "server/discover")
        {
            return Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":" + id.Json + ",\"result\":" + discover.ToJsonString() + "}");
        }

        return StatelessEnvelope.RemovedMethods.Contains(request.Method, StringComparer.Ordinal)
            ? JsonRpcErrors.For(id, ErrorCodes.MethodNotFound, $"Method not found: {request.Method} is not part of protocol revision {StatelessEnvelope.Version}.")
            : null;
    }

    /// <summary>What SMCP answers a request a bridged older server sends: a stateless client cannot receive it.</summary>
    public static byte[] RefuseServerRequest(RequestId id) =>
        JsonRpcErrors.For(id, ErrorCodes.MethodNotFound, "The client speaks protocol revision 2026-07-28 through SMCP and takes no requests from the server.");

    private static JsonObject DiscoverFrom(JsonObject initialize)
    {
        var capabilities = initialize["capabilities"] is JsonObject given ? (JsonObject)given.DeepClone() : [];
        // logging/setLevel is gone in 2026-07-28 (a request's _meta sets its log level).
        capabilities.Remove("logging");
        var discover = new JsonObject
        {
            ["supportedVersions"] = new JsonArray(StatelessEnvelope.Version),
            ["capabilities"] = capabilities,
        };
        if (initialize["instructions"] is JsonValue instructions)
        {
            discover["instructions"] = instructions.DeepClone();
        }

        if (initialize["serverInfo"] is JsonObject serverInfo)
        {
            discover["_meta"] = new JsonObject { ["io.modelcontextprotocol/serverInfo"] = serverInfo.DeepClone() };
        }

        return discover;
    }

    /// <summary>Sends one request and reads the server's lines until its answer; what else it writes meanwhile is dropped.</summary>
    private static async Task<JsonNode?> AskAsync(RunningSandbox sandbox, string id, string body, CancellationToken cancellationToken)
    {
        await sandbox.SendAsync(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":" + id + "," + body + "}"), cancellationToken).ConfigureAwait(false);
        while (await sandbox.Messages.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (sandbox.Messages.TryRead(out var line))
            {
                if (JsonRpcMessage.FromServerLine(line) is { Kind: MessageKind.Response, Id: { } answered } && answered.Json == id)
                {
                    return JsonNode.Parse(line.Span);
                }
            }
        }

        return null;
    }
}
