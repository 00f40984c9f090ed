using System.Formats.Tar;
using System.Text.Json.Nodes;

namespace Smcp.Sandbox.Engine;

/// <summary>
/// Copies a <c>docker save</c> tarball with the image names taken out of its manifest. The engine
/// applies a loaded tarball's names to its one shared namespace, so a name inside an upload could
/// move another tenant's tag; without names, the load only yields the image id.
/// </summary>
internal static class UntaggedTarball
{
    private const string Manifest = "manifest.json";
    private const int MaxManifestBytes = 16 * 1024 * 1024;

    public static async Task CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(source, leaveOpen: true);
        await using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.Name.TrimStart('.', '/') == Manifest && entry.DataStream is { } data && entry.Length <= MaxManifestBytes)
            {
                var manifest = await JsonNode.ParseAsync(data, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var image in manifest?.AsArray() ?? [])
                {
                    image?.AsObject().Remove("RepoTags");
                }

                var rewritten = new PaxTarEntry(TarEntryType.RegularFile, Manifest)
                {
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(manifest?.ToJsonString() ?? "[]")),
                    Mode = entry.Mode,
                };
                await writer.WriteEntryAsync(rewritten, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }
}
