using System.Buffers;
using System.Text.Json;

namespace Smcp.Proxy.Json;

/// <summary>What a JSON-RPC message is, as far as routing needs to know.</summary>
internal enum MessageKind
{
    Request,
    Notification,
    Response,
}

/// <summary>A JSON-RPC id: <see cref="Key"/> tells numbers from strings for lookups, <see cref="Json"/> is the id as written.</summary>
internal readonly record struct RequestId(string Key, string Json)
{
    public static RequestId? From(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.Number => new RequestId("n:" + id.GetRawText(), id.GetRawText()),
        JsonValueKind.String => new RequestId("s:" + id.GetString(), id.GetRawText()),
        _ => null,
    };
}

/// <summary>
/// One JSON-RPC message in flight, reduced to what the proxy routes and audits by. <see cref="Line"/> is
/// the message as one line of compact JSON, forwarded as it is: the proxy does not interpret MCP beyond this.
/// </summary>
internal sealed record JsonRpcMessage
{
    private const string SubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";

    public required MessageKind Kind { get; init; }

    public required ReadOnlyMemory<byte> Line { get; init; }

    public string? Method { get; init; }

    public RequestId? Id { get; init; }

    /// <summary>The tool, prompt or resource a request names (<c>params.name</c> or <c>params.uri</c>).</summary>
    public string? Target { get; init; }

    /// <summary><c>params._meta.progressToken</c> of a request, or <c>params.progressToken</c> of a progress notification.</summary>
    public string? ProgressToken { get; init; }

    /// <summary><c>params._meta["io.modelcontextprotocol/subscriptionId"]</c> of a notification on a <c>subscriptions/listen</c> stream.</summary>
    public RequestId? SubscriptionId { get; init; }

    /// <summary><c>params.requestId</c> of a <c>notifications/cancelled</c>.</summary>
    public RequestId? CancelledId { get; init; }

    /// <summary><c>result.protocolVersion</c> of a response (set on initialize results).</summary>
    public string? ResultProtocolVersion { get; init; }

    public bool IsError { get; init; }

    /// <summary>Reads one message; null when it is not a valid JSON-RPC 2.0 message.</summary>
    public static JsonRpcMessage? From(JsonElement element, ReadOnlyMemory<byte>? line = null)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            return null;
        }

        var hasId = element.TryGetProperty("id", out var idElement);
        var id = hasId ? RequestId.From(idElement) : null;
        var parameters = element.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object ? p : (JsonElement?)null;
        if (element.TryGetProperty("method", out var methodElement))
        {
            if (methodElement.ValueKind != JsonValueKind.String || (hasId && id is null))
            {
                return null;
            }

            var method = methodElement.GetString()!;
            return new JsonRpcMessage
            {
                Kind = hasId ? MessageKind.Request : MessageKind.Notification,
                Line = line ?? Compact(element),
                Method = method,
                Id = id,
                Target = parameters is { } target ? TargetOf(method, target) : null,
                ProgressToken = parameters is { } progress ? ProgressTokenOf(method, progress) : null,
                SubscriptionId = !hasId && parameters is { } listen && listen.TryGetProperty("_meta", out var listenMeta) && listenMeta.ValueKind == JsonValueKind.Object
                    && listenMeta.TryGetProperty(SubscriptionIdKey, out var subscription) ? RequestId.From(subscription) : null,
                CancelledId = method == "notifications/cancelled" && parameters is { } cancelled && cancelled.TryGetProperty("requestId", out var rid)
                    ? RequestId.From(rid) : null,
            };
        }

        var hasResult = element.TryGetProperty("result", out var result);
        var hasError = element.TryGetProperty("error", out _);
        if (!hasId || hasResult == hasError || (id is null && idElement.ValueKind != JsonValueKind.Null))
        {
            return null;
        }

        return new JsonRpcMessage
        {
            Kind = MessageKind.Response,
            Line = line ?? Compact(element),
            Id = id,
            IsError = hasError,
            ResultProtocolVersion = hasResult && result.ValueKind == JsonValueKind.Object
                && result.TryGetProperty("protocolVersion", out var pv) && pv.ValueKind == JsonValueKind.String ? pv.GetString() : null,
        };
    }

    /// <summary>Reads one line the server wrote; null when it is not a JSON-RPC message.</summary>
    public static JsonRpcMessage? FromServerLine(ReadOnlyMemory<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return From(document.RootElement, line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The element as one line: compact JSON never holds a raw newline (strings escape it).</summary>
    public static ReadOnlyMemory<byte> Compact(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return buffer.WrittenMemory;
    }

    private static string? TargetOf(string method, JsonElement parameters) => method switch
    {
        "tools/call" or "prompts/get" => StringProperty(parameters, "name"),
        "resources/read" or "resources/subscribe" or "resources/unsubscribe" => StringProperty(parameters, "uri"),
        _ => null,
    };

    private static string? ProgressTokenOf(string method, JsonElement parameters)
    {
        if (method == "notifications/progress")
        {
            return parameters.TryGetProperty("progressToken", out var token) ? TokenText(token) : null;
        }

        return parameters.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("progressToken", out var requested) ? TokenText(requested) : null;
    }

    private static string? TokenText(JsonElement token) => token.ValueKind switch
    {
        JsonValueKind.String => "s:" + token.GetString(),
        JsonValueKind.Number => "n:" + token.GetRawText(),
        _ => null,
    };

    private static string? StringProperty(JsonElement parameters, string name) =>
        parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
