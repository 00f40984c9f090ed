using Smcp.Proxy.Json;

namespace Smcp.Proxy.Guard;

/// <summary>
/// The entries a session's listings had removed under <c>block</c>: a request naming one (<c>tools/call</c>,
/// <c>prompts/get</c>, <c>resources/read</c>) is answered by the proxy with an error that says why, never forwarded.
/// Once removed, an entry stays refused for the session's life, also if a later listing shows it clean.
/// </summary>
internal sealed class SessionBlocks
{
    /// <summary>Removed entries a session remembers; past it, further ones are still removed from listings but calls to them pass.</summary>
    public const int MaxEntries = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Kind, string Key), BlockedEntry> _blocked = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _blocked.Count;
            }
        }
    }

    public void Record(ListingKind kind, ListingVerdict verdict)
    {
        if (verdict.Blocked.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var entry in verdict.Blocked)
            {
                if (entry.Key is { } key && _blocked.Count < MaxEntries)
                {
                    _blocked.TryAdd((kind.ListMethod, key), entry);
                }
            }
        }
    }

    /// <summary>The error answer for a request that names a removed entry; null when it may be forwarded.</summary>
    public byte[]? RefusalFor(JsonRpcMessage request)
    {
        if (request.Method is not { } method || ListingKind.ForUse(method) is not { } kind || request.Target is not { } target)
        {
            return null;
        }

        BlockedEntry? entry;
        lock (_gate)
        {
            if (_blocked.Count == 0 || !_blocked.TryGetValue((kind.ListMethod, target), out entry))
            {
                return null;
            }
        }

        var message = $"The {kind.Noun} '{Excerpt.Around(target, 0)}' is withheld by the proxy: its definition failed the tool-definition scan "
            + $"({entry.Reason.Rule} at '{ScanAudit.Cut(entry.Reason.Pointer)}'), and this server's toolScan policy is block.";
        return JsonRpcErrors.For(request.Id, ErrorCodes.InvalidParams, message);
    }
}
