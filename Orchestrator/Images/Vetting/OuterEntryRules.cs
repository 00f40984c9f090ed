using System.Formats.Tar;
using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>The outer tarball may hold only what <c>docker save</c> writes: regular files and folders under plain, unique names.</summary>
/// <remarks>
/// Anything else (links, old-style or odd entry types, duplicates, names a reader could take two ways) is where a .NET
/// reading and the engine's Go reading of one tarball could differ, so it is refused rather than interpreted.
/// </remarks>
internal sealed partial class OuterEntryRules(int maxEntries)
{
    /// <summary>docker save's longest name is <c>blobs/sha256/</c> and 64 hex digits.</summary>
    internal const int MaxNameLength = 255;

    private const string Advice = "Upload the output of `docker save IMAGE` unchanged.";

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>
    /// What docker save writes for an image of <paramref name="maxLayers"/> layers at most: a folder, <c>VERSION</c>,
    /// <c>json</c> and <c>layer.tar</c> a layer (legacy), or a blob a layer (OCI), plus the manifest, config, index and folders.
    /// </summary>
    /// <remarks>Every entry may cost a spool file and memory: their number is bounded before their bytes are.</remarks>
    public static int MaxEntriesFor(int maxLayers) => 4 * maxLayers + 16;

    /// <exception cref="UnsafeArchiveEntryException">The entry is not one <c>docker save</c> writes.</exception>
    public void Check(TarEntry entry)
    {
        var path = SavedArchive.Shorten(entry.Name);
        if (_seen.Count >= maxEntries)
        {
            throw new UnsafeArchiveEntryException(FindingCodes.UnsupportedEntry, path,
                $"The tarball holds more than {maxEntries} entries, more than docker save writes for an image of the allowed layer count. {Advice}");
        }

        if (entry.Name.Length > MaxNameLength)
        {
            throw new UnsafeArchiveEntryException(FindingCodes.UnsafePath, path,
                $"The tarball entry '{path}' has a name longer than {MaxNameLength} characters, which docker save never writes. {Advice}");
        }

        switch (entry.EntryType)
        {
            case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                throw new UnsafeArchiveEntryException(FindingCodes.UnsafeLink, path,
                    $"The tarball entry '{path}' is a {(entry.EntryType == TarEntryType.SymbolicLink ? "symbolic" : "hard")} link; the tarball may hold only regular files and folders. {Advice}");
            case TarEntryType.RegularFile:
            case TarEntryType.Directory when entry.Length == 0:
                break;
            default:
                throw new UnsafeArchiveEntryException(FindingCodes.UnsupportedEntry, path,
                    $"The tarball entry '{path}' has tar type '{(char)entry.EntryType}' ({entry.EntryType}){(entry.Length > 0 ? $" and carries {entry.Length} bytes" : "")}; the tarball may hold only regular files and folders. {Advice}");
        }

        var name = entry.EntryType == TarEntryType.Directory && entry.Name.EndsWith('/') ? entry.Name[..^1] : entry.Name;
        if (!CanonicalName().IsMatch(name))
        {
            throw new UnsafeArchiveEntryException(FindingCodes.UnsafePath, path,
                $"The tarball entry '{path}' has a name docker save does not write (only letters, digits, '.', '_', '-' between single '/', no '.' or '..' parts, no leading '/'). {Advice}");
        }

        if (!_seen.Add(name))
        {
            throw new UnsafeArchiveEntryException(FindingCodes.UnsafePath, path,
                $"The tarball holds '{path}' more than once: which copy counts would be up to the reader. {Advice}");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex CanonicalName();
}
