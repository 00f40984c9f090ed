namespace Smcp.Sandbox.Stdio;

/// <summary>Splits a byte stream into newline-delimited lines, refusing any line longer than a limit.</summary>
internal sealed class LineSplitter(int maxLineBytes)
{
    internal delegate void LineHandler(ReadOnlySpan<byte> line);

    private const int InitialBytes = 4096;

    /// <summary>Assembly space kept after a line; a longer line's is given back, so one 4 MiB line does not pin 4 MiB per sandbox.</summary>
    private const int RetainedBytes = 64 * 1024;

    private byte[] _partial = new byte[InitialBytes];
    private int _partialLength;

    /// <summary>The assembly buffer's size, for tests.</summary>
    internal int Capacity => _partial.Length;

    /// <summary>Feeds the next chunk; calls <paramref name="onLine"/> for every complete line (without its newline or a trailing CR).</summary>
    /// <returns>False once a line exceeds the limit; nothing more may be fed then.</returns>
    public bool Feed(ReadOnlySpan<byte> data, LineHandler onLine)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var chunk = newline < 0 ? data : data[..newline];
            if (_partialLength + chunk.Length > maxLineBytes)
            {
                return false;
            }

            if (newline < 0)
            {
                Append(chunk);
                return true;
            }

            if (_partialLength == 0)
            {
                Emit(chunk, onLine);
            }
            else
            {
                Append(chunk);
                Emit(_partial.AsSpan(0, _partialLength), onLine);
                _partialLength = 0;
                if (_partial.Length > RetainedBytes)
                {
                    _partial = new byte[InitialBytes];
                }
            }

            data = data[(newline + 1)..];
        }

        return true;
    }

    private static void Emit(ReadOnlySpan<byte> line, LineHandler onLine)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (!line.IsEmpty)
        {
            onLine(line);
        }
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        if (_partialLength + chunk.Length > _partial.Length)
        {
            Array.Resize(ref _partial, Math.Max(_partial.Length * 2, _partialLength + chunk.Length));
        }

        chunk.CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += chunk.Length;
    }
}
