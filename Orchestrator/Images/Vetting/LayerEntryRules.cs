using System.Formats.Tar;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>The rules for the entries of one layer, in the order the engine applies them.</summary>
/// <remarks>
/// Keeps the layer's symbolic links so that an entry written through one of them (the engine would follow it) is seen.
/// Entry kinds the vetter does not understand are refused: the engine's Go tar reader might read them otherwise.
/// </remarks>
internal sealed class LayerEntryRules(FindingCollector findings)
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    /// <summary>Linux's PATH_MAX: no file an image can hold has a longer name or link target.</summary>
    internal const int MaxNameLength = 4096;

    /// <summary>More symbolic links in one layer than any image needs (a large node_modules has a few thousand).</summary>
    internal const int MaxSymlinks = 65_536;

    private readonly PrefixSet _symlinks = new();

    public void Check(TarEntry entry)
    {
        var path = SavedArchive.Shorten(entry.Name);
        if (entry.Name.Length > MaxNameLength || entry.LinkName.Length > MaxNameLength)
        {
            // Refused before any other rule looks at it: a name this long only makes the rules slow.
            Unsupported(path, $"named or linked by more than {MaxNameLength} characters (Linux's PATH_MAX)");
            return;
        }

        var normalized = SavedArchive.Normalize(entry.Name);
        if (!IsInsideRoot(entry.Name))
        {
            findings.Error(FindingCodes.UnsafePath,
                $"The layer entry '{path}' is an absolute path or climbs out with '..'; no normal image builder writes that. Rebuild the image.",
                path);
        }
        else if (_symlinks.ParentOf(normalized) is { } link)
        {
            findings.Error(FindingCodes.UnsafePath,
                $"The layer entry '{path}' is written through '{SavedArchive.Shorten(link)}', a symbolic link earlier in the same layer; the engine would follow it. Rebuild the image.",
                path);
        }

        if (entry.EntryType == TarEntryType.SymbolicLink)
        {
            if (_symlinks.Count >= MaxSymlinks)
            {
                Unsupported(path, $"a symbolic link past the {MaxSymlinks} one layer may hold");
                return;
            }

            _symlinks.Add(normalized);
        }
        else if (entry.EntryType == TarEntryType.HardLink && _symlinks.Contains(SavedArchive.Normalize(entry.LinkName)))
        {
            // A hard link to a symbolic link is that symbolic link under a second name.
            _symlinks.Add(normalized);
        }
        else
        {
            _symlinks.Remove(normalized);
        }

        CheckWhiteout(entry, normalized, path);
        CheckType(entry, normalized, path);
    }

    private void CheckType(TarEntry entry, string normalized, string path)
    {
        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) && entry.Length > 0)
        {
            // Go's tar reader ignores the size of such an entry and reads its data as the next entries.
            Unsupported(path, $"a {entry.EntryType} that carries {entry.Length} bytes of data, which tar readers disagree about");
            return;
        }

        switch (entry.EntryType)
        {
            case TarEntryType.SymbolicLink when Escapes(normalized, entry.LinkName):
                findings.Error(FindingCodes.UnsafeLink,
                    $"The symbolic link '{path}' points to '{SavedArchive.Shorten(entry.LinkName)}', which climbs out of the image root. Rebuild the image.",
                    path);
                break;
            case TarEntryType.HardLink when !IsInsideRoot(entry.LinkName) || SavedArchive.Normalize(entry.LinkName).Length == 0:
                findings.Error(FindingCodes.UnsafeLink,
                    $"The hard link '{path}' points to '{SavedArchive.Shorten(entry.LinkName)}', outside the image root. Rebuild the image.",
                    path);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                var kind = entry.EntryType == TarEntryType.CharacterDevice ? "character" : "block";
                findings.Error(FindingCodes.DeviceFile,
                    $"'{path}' is a {kind} device node; images may not carry device files. Remove it from the image.",
                    path);
                break;
            case TarEntryType.Fifo:
                findings.Error(FindingCodes.FifoFile,
                    $"'{path}' is a FIFO (named pipe); images may not carry them. Create it at run time under /tmp instead.",
                    path);
                break;
            case TarEntryType.V7RegularFile when entry.Name.EndsWith('/'):
                // Go's tar reader takes an old-style file whose name ends in '/' for a directory and reads its data as entries.
                Unsupported(path, "an old-style (V7) file whose name ends in '/', which tar readers disagree about");
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                CheckMode(entry, path);
                if (entry is PaxTarEntry pax && pax.ExtendedAttributes.Keys.Any(k => k.StartsWith("GNU.sparse", StringComparison.Ordinal)))
                {
                    Unsupported(path, "a sparse file, which the vetter does not read");
                }

                break;
            case TarEntryType.Directory or TarEntryType.SymbolicLink or TarEntryType.HardLink:
                break;
            default:
                Unsupported(path, $"an entry of tar type '{(char)entry.EntryType}' ({entry.EntryType}), which the vetter does not understand");
                break;
        }
    }

    private void CheckWhiteout(TarEntry entry, string normalized, string path)
    {
        var segments = normalized.Split('/');
        var name = segments[^1];
        if (segments[..^1].Any(s => s.StartsWith(WhiteoutPrefix, StringComparison.Ordinal)))
        {
            Whiteout(path, "a whiteout name is used as a folder");
            return;
        }

        if (!name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var hidden = name[WhiteoutPrefix.Length..];
        if (name != OpaqueWhiteout && hidden.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            Whiteout(path, "it is a whiteout metadata name other than the opaque marker");
        }
        else if (hidden is "" or "." or "..")
        {
            Whiteout(path, $"it would delete '{hidden}'");
        }
        else if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.Length != 0)
        {
            Whiteout(path, "a whiteout must be an empty regular file");
        }
    }

    private void Whiteout(string path, string why) =>
        findings.Error(FindingCodes.UnsafeWhiteout,
            $"The layer entry '{path}' misuses the whiteout convention ({why}). Rebuild the image with a normal builder.",
            path);

    private void Unsupported(string path, string what) =>
        findings.Error(FindingCodes.UnsupportedEntry,
            $"The layer entry '{path}' is {what}. Rebuild the image with a normal builder.",
            path);

    private void CheckMode(TarEntry entry, string path)
    {
        var mode = Convert.ToString((int)entry.Mode, 8);
        if (entry.Mode.HasFlag(UnixFileMode.SetUser))
        {
            findings.Error(FindingCodes.SetuidFile,
                $"'{path}' has the setuid bit (mode {mode}), which could raise privileges inside the sandbox. Remove it (chmod u-s) and rebuild the image.",
                path);
        }

        if (entry.Mode.HasFlag(UnixFileMode.SetGroup))
        {
            findings.Error(FindingCodes.SetgidFile,
                $"'{path}' has the setgid bit (mode {mode}), which could raise privileges inside the sandbox. Remove it (chmod g-s) and rebuild the image.",
                path);
        }
    }

    /// <summary>True when a relative target, resolved from the link's folder, climbs above the root (an absolute one stays in the container's root).</summary>
    private static bool Escapes(string linkPath, string target)
    {
        if (target.StartsWith('/'))
        {
            return false;
        }

        var depth = linkPath.Split('/').Length - 1;
        foreach (var segment in target.Split('/').Where(s => s.Length > 0 && s != "."))
        {
            depth += segment == ".." ? -1 : 1;
            if (depth < 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInsideRoot(string path) =>
        !path.StartsWith('/') && !path.Split('/').Contains("..", StringComparer.Ordinal);
}
