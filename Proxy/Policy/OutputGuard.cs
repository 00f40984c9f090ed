using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Smcp.Proxy.Json;

namespace Smcp.Proxy.Policy;

/// <summary>
/// A session's output guard (<c>outputGuard: redact</c>): every string of a <c>tools/call</c> answer — text content,
/// resource text, <c>structuredContent</c>, an error's message, object keys — is searched for the server's own secret values
/// (<see cref="TextRedactor"/>: <see cref="SecretMatcher"/> and <see cref="CredentialShapes"/>), and each is replaced by <c>[redacted:rule]</c>.
/// An answer with nothing found passes byte for byte; one the guard cannot read is withheld, never passed unscanned.
/// </summary>
internal sealed class OutputGuard(IEnumerable<string> secrets)
{
    public const string RedactedOutcome = "redacted";

    public const string WithheldOutcome = "withheld";

    private readonly TextRedactor _redactor = new(secrets);

    /// <summary>The answer the client gets for a <c>tools/call</c> answer <paramref name="line"/>, and what its audit row says.</summary>
    public GuardedOutput Inspect(ReadOnlyMemory<byte> line, RequestId id)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        ReadOnlyMemory<byte> rewritten;
        try
        {
            rewritten = Rewrite(line.Span, counts);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or RegexMatchTimeoutException)
        {
            // A string that is not valid UTF-16 (a lone surrogate) or a scan out of time: nothing the guard can vouch for.
            var error = JsonRpcErrors.For(id, ErrorCodes.InternalError, "The server's tools/call answer was withheld: the proxy's output guard could not scan it.");
            return new GuardedOutput(error, WithheldOutcome, Detail(counts));
        }

        return counts.Count == 0 ? new GuardedOutput(line, null, null) : new GuardedOutput(rewritten, RedactedOutcome, Detail(counts));
    }

    /// <summary>Copies the message token by token with its strings redacted; the top-level <c>jsonrpc</c> and <c>id</c> are kept as they are.</summary>
    private ReadOnlyMemory<byte> Rewrite(ReadOnlySpan<byte> line, Dictionary<string, int> counts)
    {
        var buffer = new ArrayBufferWriter<byte>(line.Length + 256);
        var reader = new Utf8JsonReader(line);
        using var writer = new Utf8JsonWriter(buffer);
        var keepNext = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    writer.WriteStartObject();
                    break;
                case JsonTokenType.EndObject:
                    writer.WriteEndObject();
                    break;
                case JsonTokenType.StartArray:
                    writer.WriteStartArray();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    break;
                case JsonTokenType.PropertyName:
                    var name = reader.GetString()!;
                    keepNext = reader.CurrentDepth == 1 && name is "jsonrpc" or "id";
                    writer.WritePropertyName(keepNext ? name : _redactor.Redact(name, counts));
                    break;
                case JsonTokenType.String:
                    var text = reader.GetString()!;
                    writer.WriteStringValue(keepNext ? text : _redactor.Redact(text, counts));
                    keepNext = false;
                    break;
                default:
                    writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    keepNext = false;
                    break;
            }
        }

        writer.Flush();
        return buffer.WrittenMemory;
    }

    /// <summary>Rule ids and counts only: never a value, never where it was.</summary>
    private static JsonElement Detail(Dictionary<string, int> counts)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("outputGuard", "redact");
            writer.WriteNumber("redactions", counts.Values.Sum());
            writer.WriteStartObject("rules");
            foreach (var (rule, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(rule, count);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
