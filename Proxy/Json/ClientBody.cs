using System.Text.Json;

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
    public bool HasRequests => Messages.Any(m => m.Kind == MessageKind.Request);

    public JsonRpcMessage? Initialize => Messages.FirstOrDefault(m => m.Kind == MessageKind.Request && m.Method == "initialize");

    public static ClientBody Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
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

            return JsonRpcMessage.From(root) is { } single
                ? new ClientBody([single], false, BodyProblem.None, null)
                : Invalid("The body is not a valid JSON-RPC 2.0 message.");
        }
        catch (JsonException)
        {
            return new ClientBody([], false, BodyProblem.ParseError, "The body is not valid JSON.");
        }
    }

    private static ClientBody Invalid(string detail) => new([], false, BodyProblem.InvalidRequest, detail);
}
