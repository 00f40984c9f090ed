using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>Checks that the config and every layer are the bytes their names and the config's <c>rootfs.diff_ids</c> say.</summary>
/// <remarks>Content addressing is what ties the engine's load to the vetted bytes: the engine checks the same diff_ids.</remarks>
internal static partial class ImageDigests
{
    private const string Advice = "Upload the output of `docker save IMAGE` unchanged.";

    /// <summary>The vetted image when every name and digest agrees; otherwise null, with a finding naming each entry that does not.</summary>
    public static VettedImage? Check(
        string configPath, byte[] config, IReadOnlyList<string?> diffIds, IReadOnlyList<string> layers, SavedArchive archive, FindingCollector findings)
    {
        var agrees = true;
        var configDigest = Convert.ToHexStringLower(SHA256.HashData(config));
        var named = NamedDigest(SavedArchive.Normalize(configPath), legacySuffix: ".json");
        if (named != configDigest)
        {
            agrees = false;
            findings.Error(FindingCodes.DigestMismatch, named is null
                ? $"The image config {configPath} is not named by its SHA-256 (<hex>.json or blobs/sha256/<hex>). {Advice}"
                : $"The image config {configPath} does not hold the bytes its name says: their SHA-256 is {configDigest}. {Advice}",
                configPath);
        }

        var vetted = new List<VettedLayer>(layers.Count);
        for (var i = 0; i < layers.Count; i++)
        {
            if (!archive.Layers.TryGetValue(SavedArchive.Normalize(layers[i]), out var scan) || scan is not { DiffId: { } diffId, SpoolPath: { } spool })
            {
                agrees = false;
                continue;
            }

            if (NamedDigest(SavedArchive.Normalize(layers[i]), legacySuffix: null) is { } blob && blob != scan.StoredDigest)
            {
                agrees = false;
                findings.Error(FindingCodes.DigestMismatch,
                    $"The layer {layers[i]} does not hold the bytes its name says: their SHA-256 is {scan.StoredDigest}. {Advice}",
                    layers[i]);
            }

            if (i < diffIds.Count && diffIds[i] != "sha256:" + diffId)
            {
                agrees = false;
                findings.Error(FindingCodes.DiffIdMismatch,
                    $"The layer {layers[i]} unpacks to sha256:{diffId}, but the image config lists {diffIds[i] ?? "nothing"} for layer {i + 1}: "
                    + $"the layer is not the one the image was built with. {Advice}",
                    layers[i]);
            }

            vetted.Add(new VettedLayer(diffId, spool));
        }

        return agrees && diffIds.Count == layers.Count
            ? new VettedImage { Config = config, ConfigDigest = configDigest, Layers = vetted }
            : null;
    }

    /// <summary>The hex digest a content-addressed name carries (<c>blobs/sha256/hex</c>, or <c>hex.json</c> for a legacy config).</summary>
    private static string? NamedDigest(string path, string? legacySuffix)
    {
        if (path.StartsWith("blobs/sha256/", StringComparison.Ordinal) && Hex().IsMatch(path["blobs/sha256/".Length..]))
        {
            return path["blobs/sha256/".Length..];
        }

        return legacySuffix is not null && path.EndsWith(legacySuffix, StringComparison.Ordinal) && Hex().IsMatch(path[..^legacySuffix.Length])
            ? path[..^legacySuffix.Length]
            : null;
    }

    [GeneratedRegex("^[0-9a-f]{64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Hex();
}
