using System.Text.Json;

namespace Smcp.Sandbox.Stdio;

/// <summary>Checks that a stdout line is one whole JSON object or array, the shapes a JSON-RPC message takes.</summary>
internal static class JsonLine
{
    public static bool IsMessage(ReadOnlySpan<byte> line)
    {
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
