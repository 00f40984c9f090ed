namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>A set of paths that answers "which of them is a folder prefix of this path" in one pass over the path.</summary>
/// <remarks>
/// Looking each parent prefix up by substring costs the square of the path's length per entry, which a layer of long
/// names turns into minutes of CPU. Here a 64-bit FNV-1a hash runs along the path once and is looked up at every '/';
/// only a hash hit compares characters.
/// </remarks>
internal sealed class PrefixSet
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    private readonly Dictionary<ulong, List<string>> _byHash = [];

    public int Count { get; private set; }

    public void Add(string path)
    {
        var hash = Hash(path);
        if (!_byHash.TryGetValue(hash, out var paths))
        {
            _byHash[hash] = paths = [];
        }

        if (!paths.Contains(path, StringComparer.Ordinal))
        {
            paths.Add(path);
            Count++;
        }
    }

    public void Remove(string path)
    {
        var hash = Hash(path);
        if (_byHash.TryGetValue(hash, out var paths) && paths.Remove(path))
        {
            Count--;
            if (paths.Count == 0)
            {
                _byHash.Remove(hash);
            }
        }
    }

    public bool Contains(string path) => _byHash.TryGetValue(Hash(path), out var paths) && paths.Contains(path, StringComparer.Ordinal);

    /// <summary>The shortest member that is a parent folder of <paramref name="path"/>, if any.</summary>
    public string? ParentOf(string path)
    {
        if (Count == 0)
        {
            return null;
        }

        var hash = OffsetBasis;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '/' && i > 0 && _byHash.TryGetValue(hash, out var paths)
                && paths.Find(p => path.AsSpan(0, i).SequenceEqual(p)) is { } parent)
            {
                return parent;
            }

            hash = Step(hash, path[i]);
        }

        return null;
    }

    private static ulong Hash(string path)
    {
        var hash = OffsetBasis;
        foreach (var c in path)
        {
            hash = Step(hash, c);
        }

        return hash;
    }

    private static ulong Step(ulong hash, char c) => (hash ^ c) * Prime;
}
