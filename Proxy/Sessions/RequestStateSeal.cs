using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Smcp.Proxy.Sessions;

/// <summary>Where a multi round-trip request's <c>requestState</c> sits: <c>result.requestState</c> going out, <c>params.requestState</c> coming back.</summary>
internal static class RequestStateSeal
{
    /// <summary>The answer with its <c>result.requestState</c> sealed; the same line when it carries none.</summary>
    public static ReadOnlyMemory<byte> SealIn(ReadOnlyMemory<byte> line, Func<string, string> seal)
    {
        if (line.Span.IndexOf("\"requestState\""u8) < 0 || Parse(line) is not { } answer
            || answer["result"] is not JsonObject result
            || result["requestState"] is not JsonValue state
            || state.GetValueKind() != JsonValueKind.String)
        {
            return line;
        }

        result["requestState"] = seal(state.GetValue<string>());
        return Encoding.UTF8.GetBytes(answer.ToJsonString());
    }

    /// <summary>A server's line as an object; null when it is not one a client would read alike (a member named twice).</summary>
    private static JsonObject? Parse(ReadOnlyMemory<byte> line)
    {
        try
        {
            return JsonNode.Parse(line.Span, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The request with its <c>params.requestState</c> unsealed: the same line when it carries none, null when the one it
    /// carries is not a string or does not unseal.
    /// </summary>
    public static ReadOnlyMemory<byte>? Unseal(ReadOnlyMemory<byte> line, Func<string, string?> unseal)
    {
        if (line.Span.IndexOf("\"requestState\""u8) < 0
            || JsonNode.Parse(line.Span) is not JsonObject request
            || request["params"] is not JsonObject parameters
            || !parameters.ContainsKey("requestState"))
        {
            return line;
        }

        if (parameters["requestState"] is not JsonValue state || state.GetValueKind() != JsonValueKind.String || unseal(state.GetValue<string>()) is not { } original)
        {
            return null;
        }

        parameters["requestState"] = original;
        return Encoding.UTF8.GetBytes(request.ToJsonString());
    }
}
