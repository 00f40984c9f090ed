using System.Text.Json;

namespace Smcp.Proxy.Guard;

/// <summary>Finds the bytes of a response's <c>result</c> in one pass of a forward-only reader: what the cache hashes, without building a document.</summary>
internal static class ResultLocator
{
    /// <summary>The result's bytes; false when the line has no <c>result</c>, or more than one (then nothing can say which one a client keeps).</summary>
    public static bool TryFind(ReadOnlyMemory<byte> line, out ReadOnlyMemory<byte> result)
    {
        result = default;
        var reader = new Utf8JsonReader(line.Span);
        var found = false;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isResult = reader.ValueTextEquals("result"u8);
            if (!reader.Read())
            {
                return false;
            }

            if (isResult)
            {
                if (found)
                {
                    return false;
                }

                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                result = line[start..(int)reader.BytesConsumed];
                found = true;
            }
            else
            {
                reader.Skip();
            }
        }

        return found;
    }
}
