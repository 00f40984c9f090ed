using System.Text.Json;
using System.Text.Unicode;

namespace Smcp.Proxy.Json;

/// <summary>How a POST body reads as JSON-RPC.</summary>
internal enum BodyProblem
{
    None,
    ParseError,
    InvalidRequest,
}

/// <summary>The messages of one POST body: one message, or a batch array.</summary>
internal sealed record ClientBody(IReadOnlyList<JsonRpcMessage> Messages, bool IsBatch, BodyProblem Problem, string? Detail)
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public bool HasRequests => Messages.Any(m => m.Kind == MessageKind.Request);

    public JsonRpcMessage? Initialize => Messages.FirstOrDefault(m => m.Kind == MessageKind.Request && m.Method == "initialize");

    public static ClientBody Parse(ReadOnlyMemory<byte> body)
    {
        // The reader does not check the UTF-8 inside strings, and a one-line body is forwarded as it came.
        if (!Utf8.IsValid(body.Span))
        {
            return new ClientBody([], false, BodyProblem.ParseError, "The body is not valid UTF-8.");
        }

        try
        {
            // Duplicate member names are refused: the method, id or tool the proxy routes and audits by must be
            // the one the server reads, whichever duplicate its JSON parser would keep.
            using var document = JsonDocument.Parse(body, Options);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                if (root.GetArrayLength() == 0)
                {
                    return Invalid("An empty batch is not a valid request.");
                }

                var messages = new List<JsonRpcMessage>(root.GetArrayLength());
                foreach (var item in root.EnumerateArray())
                {
                    if (JsonRpcMessage.From(item) is not { } message)
                    {
                        return Invalid("A batch item is not a valid JSON-RPC 2.0 message.");
                    }

                    messages.Add(message);
                }

                return new ClientBody(messages, true, BodyProblem.None, null);
            }

            return JsonRpcMessage.From(root, AsOneLine(body)) is { } single
                ? new ClientBody([single], false, BodyProblem.None, null)
                : Invalid("The body is not a valid JSON-RPC 2.0 message.");
        }
        catch (JsonException) when (IsJsonWithDuplicates(body))
        {
            return Invalid("An object in the body names the same member twice.");
        }
        catch (JsonException)
        {
            return new ClientBody([], false, BodyProblem.ParseError, "The body is not valid JSON.");
        }
    }

    /// <summary>The body itself when it is already one line (the usual case), so it is forwarded without being written anew.</summary>
    private static ReadOnlyMemory<byte>? AsOneLine(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        if (span.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            return null;
        }

        var start = span.IndexOfAnyExcept((byte)' ', (byte)'\t');
        var end = span.LastIndexOfAnyExcept((byte)' ', (byte)'\t');
        return body[start..(end + 1)];
    }

    private static bool IsJsonWithDuplicates(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var lenient = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static ClientBody Invalid(string detail) => new([], false, BodyProblem.InvalidRequest, detail);
}
