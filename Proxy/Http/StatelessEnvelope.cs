using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Smcp.Proxy.Json;

namespace Smcp.Proxy.Http;

/// <summary>Why a stateless (2026-07-28) request is refused before it reaches a sandbox: an HTTP status and the JSON-RPC error it carries.</summary>
internal sealed record StatelessRefusal(int Status, int Code, string Message, JsonElement? Data = null);

/// <summary>Whether a POST takes the stateless path, and with which version; or why it is refused.</summary>
internal sealed record StatelessCheck(bool IsStateless, string? Version, StatelessRefusal? Refusal)
{
    public static readonly StatelessCheck NotStateless = new(false, null, null);
}

/// <summary>
/// The 2026-07-28 per-request envelope: <c>params._meta</c> carries the protocol version and client capabilities, and the
/// headers <c>MCP-Protocol-Version</c>, <c>Mcp-Method</c> and <c>Mcp-Name</c> mirror the body. A gateway routes and audits by
/// the headers' values as much as by the body's, so a disagreement is refused here rather than guessed at.
/// </summary>
internal static class StatelessEnvelope
{
    public const string Version = "2026-07-28";
    public const string VersionKey = "io.modelcontextprotocol/protocolVersion";
    public const string CapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";
    public const string ClientInfoKey = "io.modelcontextprotocol/clientInfo";
    public const string MethodHeader = "Mcp-Method";
    public const string NameHeader = "Mcp-Name";

    /// <summary>The largest <c>params._meta</c> accepted, in bytes of its JSON text.</summary>
    public const int MaxMetaBytes = 16 * 1024;

    public static readonly string[] Supported = [Version];

    /// <summary>Methods 2026-07-28 removed: a bridged older server would still answer them, so SMCP does (method not found).</summary>
    public static readonly string[] RemovedMethods = ["initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"];

    private const string Base64Prefix = "=?base64?";
    private const string Base64Suffix = "?=";

    /// <summary>A revision date from 2026-07-28 on names the stateless protocol (dated revisions order as text); anything else is no claim.</summary>
    public static bool IsStatelessVersion(string? version) =>
        version is { Length: 10 } && DateOnly.TryParseExact(version, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
        && string.CompareOrdinal(version, Version) >= 0;

    public static StatelessCheck Check(IHeaderDictionary headers, ClientBody body)
    {
        var headerVersion = headers[McpRequestReader.VersionHeader].ToString();
        var headerStateless = IsStatelessVersion(headerVersion);
        if (body.IsBatch)
        {
            return body.Messages.Any(m => EnvelopeOf(m).HasClaim)
                ? Refuse(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "A JSON-RPC batch may not hold a request of protocol revision 2026-07-28 or later.")
                : StatelessCheck.NotStateless;
        }

        var message = body.Messages[0];
        var envelope = EnvelopeOf(message);
        if (!envelope.HasClaim && !headerStateless)
        {
            return StatelessCheck.NotStateless;
        }

        if (headers.ContainsKey(McpRequestReader.SessionHeader))
        {
            return Refuse(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "A 2026-07-28 request has no session: send it without Mcp-Session-Id.");
        }

        if (message.Kind == MessageKind.Response)
        {
            return Refuse(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "A 2026-07-28 client sends no JSON-RPC responses: its server sends it no requests.");
        }

        if (envelope.MetaBytes > MaxMetaBytes)
        {
            return Refuse(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParams, $"params._meta is larger than the limit of {MaxMetaBytes} bytes.");
        }

        if (!envelope.HasClaim)
        {
            if (message.Method == "initialize")
            {
                return Mismatch($"An initialize request (the older handshake) was sent with MCP-Protocol-Version {headerVersion}.");
            }

            // A notification may lean on the header alone; a request must carry its envelope.
            return message.Kind == MessageKind.Notification
                ? new StatelessCheck(true, headerVersion, null)
                : Refuse(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParams,
                    $"MCP-Protocol-Version names {headerVersion}, but params._meta lacks {VersionKey} and {CapabilitiesKey}.");
        }

        if (envelope.Problem is { } problem)
        {
            return Refuse(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParams, "Invalid params._meta: " + problem);
        }

        var claimed = envelope.Version!;
        if (headerVersion.Length == 0 && message.Kind == MessageKind.Request)
        {
            return Mismatch($"params._meta names protocol version {claimed} but the MCP-Protocol-Version header is missing.");
        }

        if (headerVersion.Length > 0 && headerVersion != claimed)
        {
            return Mismatch($"params._meta names protocol version {claimed} but the MCP-Protocol-Version header names {headerVersion}.");
        }

        var methodHeader = headers[MethodHeader].ToString();
        if (methodHeader.Length == 0 && message.Kind == MessageKind.Request)
        {
            return Mismatch($"The body names method {message.Method} but the Mcp-Method header is missing.");
        }

        if (methodHeader.Length > 0 && methodHeader != message.Method)
        {
            return Mismatch($"The body names method {message.Method} but the Mcp-Method header names {methodHeader}.");
        }

        if (NameCheck(headers, message) is { } nameRefusal)
        {
            return nameRefusal;
        }

        if (!Supported.Contains(claimed, StringComparer.Ordinal))
        {
            return Refuse(StatusCodes.Status400BadRequest, ErrorCodes.UnsupportedProtocolVersion,
                $"Unsupported protocol version '{claimed}'; supported: {string.Join(", ", Supported)} (and, with initialize, 2024-11-05 to 2025-11-25).",
                UnsupportedData(claimed));
        }

        return new StatelessCheck(true, claimed, null);
    }

    /// <summary>The HTTP status 2026-07-28 gives an answer that is one JSON-RPC error; 200 otherwise.</summary>
    public static int StatusFor(ReadOnlyMemory<byte> answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            if (!document.RootElement.TryGetProperty("error", out var error) || !error.TryGetProperty("code", out var code) || !code.TryGetInt32(out var value))
            {
                return StatusCodes.Status200OK;
            }

            return value switch
            {
                ErrorCodes.MethodNotFound => StatusCodes.Status404NotFound,
                ErrorCodes.InvalidParams or ErrorCodes.InvalidRequest or ErrorCodes.HeaderMismatch or ErrorCodes.MissingRequiredClientCapability
                    or ErrorCodes.UnsupportedProtocolVersion => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status200OK,
            };
        }
        catch (JsonException)
        {
            return StatusCodes.Status200OK;
        }
    }

    private static StatelessCheck? NameCheck(IHeaderDictionary headers, JsonRpcMessage message)
    {
        var field = message.Method switch
        {
            "tools/call" or "prompts/get" => "name",
            "resources/read" => "uri",
            _ => null,
        };
        if (field is null || message.Kind != MessageKind.Request || message.Target is not { } bodyValue)
        {
            return null;
        }

        var header = headers[NameHeader].ToString().Trim(' ', '\t');
        if (header.Length == 0)
        {
            return Mismatch($"The body carries params.{field} but the Mcp-Name header is missing.");
        }

        if (Decode(header) is not { } decoded)
        {
            return Mismatch("The Mcp-Name header carries an invalid =?base64?…?= value.");
        }

        return decoded == bodyValue ? null : Mismatch($"The body carries params.{field} '{bodyValue}' but the Mcp-Name header names another.");
    }

    /// <summary>A header value, plain or in the <c>=?base64?…?=</c> form that carries what a header cannot.</summary>
    internal static string? Decode(string header)
    {
        if (!header.StartsWith(Base64Prefix, StringComparison.Ordinal) || !header.EndsWith(Base64Suffix, StringComparison.Ordinal) || header.Length < Base64Prefix.Length + Base64Suffix.Length)
        {
            return header;
        }

        var payload = header[Base64Prefix.Length..^Base64Suffix.Length];
        var bytes = new byte[payload.Length];
        if (!Convert.TryFromBase64String(payload, bytes, out var written) || Convert.ToBase64String(bytes, 0, written) != payload)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static JsonElement UnsupportedData(string requested)
    {
        using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(
            new UnsupportedVersionData(Supported, requested), ProxyJsonContext.Default.UnsupportedVersionData));
        return document.RootElement.Clone();
    }

    private static StatelessCheck Mismatch(string message) => Refuse(StatusCodes.Status400BadRequest, ErrorCodes.HeaderMismatch, message);

    private static StatelessCheck Refuse(int status, int code, string message, JsonElement? data = null) =>
        new(false, null, new StatelessRefusal(status, code, message, data));

    private readonly record struct Envelope(bool HasClaim, string? Version, string? Problem, int MetaBytes);

    private static Envelope EnvelopeOf(JsonRpcMessage message)
    {
        using var document = JsonDocument.Parse(message.Line);
        if (!document.RootElement.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object
            || !parameters.TryGetProperty("_meta", out var meta))
        {
            return default;
        }

        var size = Encoding.UTF8.GetByteCount(meta.GetRawText());
        if (meta.ValueKind != JsonValueKind.Object)
        {
            return new Envelope(false, null, null, size);
        }

        if (!meta.TryGetProperty(VersionKey, out var version))
        {
            return new Envelope(false, null, null, size);
        }

        string? problem = null;
        if (version.ValueKind != JsonValueKind.String || version.GetString() is not { Length: > 0 })
        {
            problem = $"{VersionKey} must be a protocol version string.";
        }
        else if (message.Kind == MessageKind.Request && (!meta.TryGetProperty(CapabilitiesKey, out var capabilities) || capabilities.ValueKind != JsonValueKind.Object))
        {
            problem = $"{CapabilitiesKey} is required and must be an object.";
        }
        else if (meta.TryGetProperty(ClientInfoKey, out var info) && info.ValueKind != JsonValueKind.Object)
        {
            problem = $"{ClientInfoKey} must be an object.";
        }

        return new Envelope(true, problem is null ? version.GetString() : null, problem, size);
    }
}
