namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>What one pass over a <c>docker save</c> tarball recorded, keyed by path, for decisions made once it is read.</summary>
/// <remarks>Entries come in any order (manifest.json may be last), so nothing is decided while reading.</remarks>
internal sealed class SavedArchive
{
    private const int MaxLinkHops = 8;

    /// <summary>Small JSON files (manifest, image config) by path.</summary>
    public Dictionary<string, byte[]> Json { get; } = new(StringComparer.Ordinal);

    /// <summary>Every file read as a layer archive, by path.</summary>
    public Dictionary<string, LayerScan> Layers { get; } = new(StringComparer.Ordinal);

    /// <summary>Symbolic and hard links between tarball entries (docker save links a repeated layer to its first copy).</summary>
    public Dictionary<string, string> Links { get; } = new(StringComparer.Ordinal);

    /// <summary>Files that are neither JSON nor an archive.</summary>
    public HashSet<string> OtherFiles { get; } = new(StringComparer.Ordinal);

    public long MetadataBytes { get; set; }

    /// <summary>The tarball path with "./" and empty segments removed.</summary>
    public static string Normalize(string path) =>
        string.Join('/', path.Split('/').Where(s => s.Length > 0 && s != "."));

    /// <summary>The target of a symbolic link at <paramref name="linkPath"/>, as a tarball path.</summary>
    public static string LinkTarget(string linkPath, string target)
    {
        var parts = target.StartsWith('/') ? [] : linkPath.Split('/')[..^1].ToList();
        foreach (var segment in target.Split('/').Where(s => s.Length > 0 && s != "."))
        {
            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else
            {
                parts.Add(segment);
            }
        }

        return string.Join('/', parts);
    }

    /// <summary>The path itself, or where its links lead.</summary>
    public string Resolve(string path)
    {
        var current = Normalize(path);
        for (var hop = 0; hop < MaxLinkHops && Links.TryGetValue(current, out var next); hop++)
        {
            current = next;
        }

        return current;
    }

    public bool Contains(string path) =>
        Json.ContainsKey(path) || Layers.ContainsKey(path) || OtherFiles.Contains(path);
}
