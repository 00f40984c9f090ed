using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Smcp.Proxy.Json;

/// <summary>JSON-RPC error codes the proxy answers with.</summary>
internal static class ErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;

    /// <summary>What MCP servers answer a call of a tool they do not have: a withheld entry gets it too.</summary>
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>The implementation-defined server error range: transport refusals, sandbox exits.</summary>
    public const int ServerError = -32000;
    public const int RequestTimedOut = -32001;
    public const int RequestCancelled = -32800;

    public const int MethodNotFound = -32601;

    /// <summary>2026-07-28: an HTTP header disagrees with the body it mirrors, or a required one is missing.</summary>
    public const int HeaderMismatch = -32020;

    /// <summary>2026-07-28: the request needs a client capability its <c>_meta</c> did not declare.</summary>
    public const int MissingRequiredClientCapability = -32021;

    /// <summary>2026-07-28: the request's <c>_meta</c> names a protocol version this endpoint does not serve.</summary>
    public const int UnsupportedProtocolVersion = -32022;
}

internal sealed record JsonRpcErrorBody(
    int Code, string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Data = null);

internal sealed record JsonRpcErrorResponse(
    [property: JsonPropertyName("jsonrpc")] string JsonRpc,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? Id,
    JsonRpcErrorBody Error);

/// <summary>The <c>data</c> of an UnsupportedProtocolVersion error: what is served, and what was asked for.</summary>
internal sealed record UnsupportedVersionData(IReadOnlyList<string> Supported, string Requested);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonRpcErrorResponse))]
[JsonSerializable(typeof(UnsupportedVersionData))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext;

/// <summary>Builds JSON-RPC error responses as single lines.</summary>
internal static class JsonRpcErrors
{
    public static byte[] For(RequestId? id, int code, string message, JsonElement? data = null)
    {
        JsonElement? idElement = id is { } known ? JsonDocument.Parse(Encoding.UTF8.GetBytes(known.Json)).RootElement.Clone() : null;
        return JsonSerializer.SerializeToUtf8Bytes(
            new JsonRpcErrorResponse("2.0", idElement, new JsonRpcErrorBody(code, message, data)),
            ProxyJsonContext.Default.JsonRpcErrorResponse);
    }
}
