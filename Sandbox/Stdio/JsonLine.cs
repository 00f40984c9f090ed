using System.Text.Json;

namespace Smcp.Sandbox.Stdio;

/// <summary>Checks that a stdout line is one whole JSON object or array, the shapes a JSON-RPC message takes.</summary>
/// <remarks>A carriage return inside is refused too: JSON allows it between tokens, but it would end an SSE line downstream.</remarks>
internal static class JsonLine
{
    public static bool IsMessage(ReadOnlySpan<byte> line)
    {
        if (line.IndexOf((byte)'\r') >= 0)
        {
            return false;
        }

        var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
