namespace Smcp.Sandbox.Stdio;

/// <summary>Keeps the last bytes a sandbox wrote to stderr, for the tenant's logs; older bytes fall out.</summary>
internal sealed class StderrRing(int capacity)
{
    private readonly byte[] _buffer = new byte[capacity];
    private readonly Lock _lock = new();
    private int _start;
    private int _count;

    public long TotalBytes { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            TotalBytes += data.Length;
            if (data.Length >= _buffer.Length)
            {
                data[^_buffer.Length..].CopyTo(_buffer);
                _start = 0;
                _count = _buffer.Length;
                return;
            }

            foreach (var b in data)
            {
                var end = (_start + _count) % _buffer.Length;
                _buffer[end] = b;
                if (_count < _buffer.Length)
                {
                    _count++;
                }
                else
                {
                    _start = (_start + 1) % _buffer.Length;
                }
            }
        }
    }

    /// <summary>The kept bytes and the count written; when older bytes were dropped, the bytes start at the first whole line.</summary>
    public StderrSnapshot Snapshot()
    {
        byte[] copy;
        long total;
        lock (_lock)
        {
            copy = new byte[_count];
            for (var i = 0; i < _count; i++)
            {
                copy[i] = _buffer[(_start + i) % _buffer.Length];
            }

            total = TotalBytes;
        }

        var kept = copy.AsMemory();
        if (total > copy.Length && kept.Span.IndexOf((byte)'\n') is var newline and >= 0)
        {
            kept = kept[(newline + 1)..];
        }

        return new StderrSnapshot(kept, total);
    }
}
