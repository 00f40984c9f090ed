namespace Smcp.Proxy.Guard;

/// <summary>
/// Verdicts by listing hash, least recently used out first, bounded in bytes (<see cref="ProxyOptions.ToolScanCacheBytes"/>):
/// an unchanged listing costs a hash and a lookup, not a scan. A verdict larger than a quarter of the bound is not kept.
/// </summary>
internal sealed class VerdictCache(long capacityBytes)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, ListingVerdict Verdict, long Bytes)>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, ListingVerdict Verdict, long Bytes)> _recent = new();
    private long _bytes;

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byKey.Count;
            }
        }
    }

    public ListingVerdict? Find(string key)
    {
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var node))
            {
                return null;
            }

            _recent.Remove(node);
            _recent.AddFirst(node);
            return node.Value.Verdict;
        }
    }

    public void Add(string key, ListingVerdict verdict)
    {
        // The key (a method and a base64 hash) counts too.
        var bytes = verdict.Bytes + (2L * key.Length);
        if (bytes > capacityBytes / 4)
        {
            return;
        }

        lock (_gate)
        {
            if (_byKey.ContainsKey(key))
            {
                return;
            }

            while (_bytes + bytes > capacityBytes && _recent.Last is { } oldest)
            {
                _recent.RemoveLast();
                _byKey.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Bytes;
            }

            _byKey[key] = _recent.AddFirst((key, verdict, bytes));
            _bytes += bytes;
        }
    }
}
