using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Guard.Pinning;

/// <summary>
/// How a listing differs from pins: a pinned name with another hash is changed; a new name whose content (everything but
/// the name) equals a pinned tool that is gone is a rename; other new names are added; pinned names gone are removed
/// (not on a page of a paginated listing). Pure logic.
/// </summary>
internal static class PinComparer
{
    public static ToolPinChanges Compare(ToolPinSet pins, ObservedListing listing)
    {
        var pinned = new Dictionary<string, ToolPin>(StringComparer.Ordinal);
        foreach (var pin in pins.Tools)
        {
            pinned.TryAdd(pin.Name, pin);
        }

        var seen = new HashSet<string>(listing.Tools.Select(t => t.Pin.Name), StringComparer.Ordinal);
        var gone = pinned.Values.Where(p => !seen.Contains(p.Name)).ToList();
        var changed = new List<string>();
        var added = new List<string>();
        var renamed = new List<ToolRename>();
        foreach (var tool in listing.Tools)
        {
            if (pinned.TryGetValue(tool.Pin.Name, out var pin))
            {
                if (pin.Hash != tool.Pin.Hash)
                {
                    changed.Add(tool.Pin.Name);
                }

                continue;
            }

            var index = gone.FindIndex(p => p.ContentHash == tool.Pin.ContentHash);
            if (index >= 0)
            {
                renamed.Add(new ToolRename(gone[index].Name, tool.Pin.Name));
                gone.RemoveAt(index);
            }
            else
            {
                added.Add(tool.Pin.Name);
            }
        }

        var removed = listing.IsPage ? [] : gone.ConvertAll(p => p.Name);
        return new ToolPinChanges(added, removed, renamed, changed);
    }
}
