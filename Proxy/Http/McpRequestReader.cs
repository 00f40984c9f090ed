using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Smcp.Proxy.Json;

namespace Smcp.Proxy.Http;

/// <summary>Reads and checks what a POST carries: headers, body size, JSON-RPC shape, protocol version.</summary>
internal static class McpRequestReader
{
    public const string SessionHeader = "Mcp-Session-Id";
    public const string VersionHeader = "MCP-Protocol-Version";

    /// <summary>When a client sends no version header, the spec says to assume this one.</summary>
    public const string AssumedVersion = "2025-03-26";

    private static readonly string[] Supported = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

    public static bool IsSupportedVersion(string version) => Supported.Contains(version, StringComparer.Ordinal);

    /// <summary>From 2025-11-25 on, SSE streams open with a priming event.</summary>
    public static bool Primes(string? version) => version is not null && string.CompareOrdinal(version, "2025-11-25") >= 0;

    /// <summary>The version header, or null when it is present but names no supported version.</summary>
    public static string? Version(HttpRequest request)
    {
        var header = request.Headers[VersionHeader].ToString();
        return header.Length == 0 ? AssumedVersion : IsSupportedVersion(header) ? header : null;
    }

    public static bool Accepts(HttpRequest request, params string[] mediaTypes)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        return mediaTypes.All(wanted => accepted.Any(a => a.MediaType.Equals(wanted, StringComparison.OrdinalIgnoreCase)));
    }

    public static bool IsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The body, or null when it is larger than <paramref name="limit"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>?> BodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }

    /// <summary>Reads a POST body, writing the refusal (413, 400) when it is too big or not JSON-RPC.</summary>
    public static async Task<ClientBody?> ReadMessagesAsync(HttpContext context, long limit)
    {
        ReadOnlyMemory<byte>? body;
        try
        {
            body = await BodyAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode != StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own refusal while the body arrives: slower than its minimum data rate (408), or a broken chunk (400).
            await HttpErrors.WriteAsync(context, ex.StatusCode,
                ex.StatusCode == StatusCodes.Status408RequestTimeout ? "The request body arrived too slowly." : "The request body could not be read.",
                code: ErrorCodes.InvalidRequest).ConfigureAwait(false);
            return null;
        }
        catch (BadHttpRequestException)
        {
            body = null;
        }

        if (body is not { } bytes)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than the limit of {limit} bytes.", code: ErrorCodes.InvalidRequest).ConfigureAwait(false);
            return null;
        }

        var parsed = ClientBody.Parse(bytes);
        if (parsed.Problem != BodyProblem.None)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, parsed.Detail!,
                code: parsed.Problem == BodyProblem.ParseError ? ErrorCodes.ParseError : ErrorCodes.InvalidRequest).ConfigureAwait(false);
            return null;
        }

        return parsed;
    }
}
