using System.Text;
using System.Text.Json;
using Smcp.Fuzz.Tests.Generation;
using Smcp.Fuzz.Tests.Sending;

namespace Smcp.Fuzz.Tests.Checking;

/// <summary>Judges one reply: no 5xx, every 4xx with a reason, no body that is not JSON-RPC accepted, every JSON-RPC answer well-formed.</summary>
internal static class ReplyCheck
{
    /// <summary>Null when the reply is as it should be; otherwise what is wrong with it.</summary>
    public static string? Judge(HostileRequest request, Reply reply)
    {
        if (reply.Failure is { } failure)
        {
            // A host may stop reading an oversize or too slow body and close the connection once it has refused it.
            return reply.Broken && (request.Kind == BodyKind.Oversize || request.SlowChunks > 0) ? null : failure;
        }

        if (reply.Status >= 500)
        {
            return $"{reply.Status}: {FuzzClient.Text(reply.Body)}";
        }

        if (reply.Status == 400 && reply.Body.Length == 0 && request.Path.Contains("%00", StringComparison.Ordinal))
        {
            // Kestrel refuses a path with a NUL in it while parsing the request line, before any code of the host runs,
            // and closes the connection with a bare 400: no handler is there to give it a body.
            return null;
        }

        if (reply.Status >= 400)
        {
            return HasReason(reply) ? null : $"{reply.Status} without a reason ({reply.ContentType ?? "no content type"}): {FuzzClient.Text(reply.Body)}";
        }

        if (reply.Status is >= 200 and < 300 && request.IsMcpPost && request.IsNeverJsonRpc)
        {
            return $"{reply.Status} for a body that is not JSON-RPC: {FuzzClient.Text(reply.Body)}";
        }

        return reply.Status == 200 && request.IsMcpPost && !reply.Truncated ? MalformedAnswer(reply) : null;
    }

    /// <summary>A problem detail (<c>detail</c> or <c>title</c>), a JSON-RPC error, an OAuth error, or a page a person reads.</summary>
    private static bool HasReason(Reply reply)
    {
        if (reply.Body.Length == 0)
        {
            return false;
        }

        if (reply.ContentType is "text/html" or "text/plain" || reply.Truncated)
        {
            return true;
        }

        if (reply.ContentType is not ("application/json" or "application/problem+json") || Parse(reply.Body) is not { } root)
        {
            return false;
        }

        using (root)
        {
            var element = root.RootElement;
            return element.ValueKind == JsonValueKind.Object && (
                (element.TryGetProperty("error", out var error)
                    && ((error.ValueKind == JsonValueKind.String && error.GetString()!.Length > 0)
                        || (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)))
                || (element.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                || (element.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String));
        }
    }

    /// <summary>Every JSON-RPC message in a 200 answer (JSON or the complete events of a stream) names its version and, if a response, exactly one of result and error.</summary>
    private static string? MalformedAnswer(Reply reply)
    {
        var messages = reply.ContentType == "text/event-stream" ? Events(reply.Body) : [reply.Body];
        foreach (var message in messages)
        {
            if (Parse(message) is not { } document)
            {
                return $"200 with a message that is not JSON: {FuzzClient.Text(message)}";
            }

            using (document)
            {
                var element = document.RootElement;
                if (element.ValueKind == JsonValueKind.Array)
                {
                    if (element.EnumerateArray().Any(item => !IsWellFormed(item)))
                    {
                        return $"200 with a malformed batch answer: {FuzzClient.Text(message)}";
                    }
                }
                else if (!IsWellFormed(element))
                {
                    return $"200 with a malformed JSON-RPC message: {FuzzClient.Text(message)}";
                }
            }
        }

        return null;
    }

    private static bool IsWellFormed(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object
        && message.TryGetProperty("jsonrpc", out var version) && version.ValueKind == JsonValueKind.String && version.GetString() == "2.0"
        && (message.TryGetProperty("method", out _) || (message.TryGetProperty("result", out _) != message.TryGetProperty("error", out _)));

    /// <summary>The data of every complete event (an event stream read for a while may end inside one); the priming event carries none.</summary>
    private static List<byte[]> Events(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var complete = text[..(text.LastIndexOf("\n\n", StringComparison.Ordinal) + 1)];
        return [.. complete.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => string.Join("\n", e.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].TrimStart())))
            .Where(data => data.Length > 0)
            .Select(Encoding.UTF8.GetBytes)];
    }

    private static JsonDocument? Parse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
