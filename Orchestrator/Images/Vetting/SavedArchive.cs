namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>What one pass over a <c>docker save</c> tarball recorded, keyed by path, for decisions made once it is read.</summary>
/// <remarks>Entries come in any order (manifest.json may be last), so nothing is decided while reading.</remarks>
internal sealed class SavedArchive
{
    private const int MaxPathInMessage = 300;

    /// <summary>Small JSON files (manifest, image config) by path.</summary>
    public Dictionary<string, byte[]> Json { get; } = new(StringComparer.Ordinal);

    /// <summary>Every file read as a layer archive, by path.</summary>
    public Dictionary<string, LayerScan> Layers { get; } = new(StringComparer.Ordinal);

    /// <summary>Files that are neither JSON nor an archive.</summary>
    public HashSet<string> OtherFiles { get; } = new(StringComparer.Ordinal);

    public long MetadataBytes { get; set; }

    /// <summary>A path as findings quote it: at most 300 characters, so a hostile name cannot bloat a report.</summary>
    public static string Shorten(string path) => path.Length <= MaxPathInMessage ? path : string.Concat(path.AsSpan(0, MaxPathInMessage), "…");

    /// <summary>The path with "./" and empty segments removed.</summary>
    public static string Normalize(string path) =>
        string.Join('/', path.Split('/').Where(s => s.Length > 0 && s != "."));

    public bool Contains(string path) =>
        Json.ContainsKey(path) || Layers.ContainsKey(path) || OtherFiles.Contains(path);
}
