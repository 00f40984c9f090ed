using System.Formats.Tar;
using System.Text.Json;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Images;

/// <summary>Writes a legacy <c>docker save</c> archive from vetted bytes alone: what the engine loads instead of the upload.</summary>
/// <remarks>
/// One image, no names (no RepoTags, no <c>repositories</c>), only regular files and folders under canonical names:
/// <c>manifest.json</c>, <c>{config digest}.json</c> and <c>{diff_id}/layer.tar</c>. Nothing the uploader chose reaches the
/// engine but the config's bytes and the layers' bytes, both content-addressed, so how the engine's Go tar reader would have
/// read the upload no longer matters. The engine this is written for (Docker 20.10, API 1.41) loads this format.
/// </remarks>
internal static class CanonicalArchive
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    public static async Task WriteAsync(VettedImage image, Stream destination, CancellationToken cancellationToken)
    {
        await using var writer = new TarWriter(destination, TarEntryFormat.Ustar, leaveOpen: true);
        var configName = $"{image.ConfigDigest}.json";
        await WriteFileAsync(writer, configName, new MemoryStream(image.Config, writable: false), cancellationToken).ConfigureAwait(false);

        var written = new HashSet<string>(StringComparer.Ordinal);
        var layerNames = new List<string>(image.Layers.Count);
        foreach (var layer in image.Layers)
        {
            var name = $"{layer.DiffId}/layer.tar";
            layerNames.Add(name);
            if (!written.Add(layer.DiffId))
            {
                continue;
            }

            await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.Directory, layer.DiffId + "/") { Mode = DirectoryMode, ModificationTime = Epoch }, cancellationToken)
                .ConfigureAwait(false);
            var bytes = new FileStream(layer.SpoolPath, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (bytes.ConfigureAwait(false))
            {
                await WriteFileAsync(writer, name, bytes, cancellationToken).ConfigureAwait(false);
            }
        }

        await WriteFileAsync(writer, "manifest.json", new MemoryStream(Manifest(configName, layerNames), writable: false), cancellationToken)
            .ConfigureAwait(false);
    }

    private static byte[] Manifest(string configName, List<string> layerNames)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("Config", configName);
            json.WriteNull("RepoTags");
            json.WriteStartArray("Layers");
            foreach (var name in layerNames)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private static Task WriteFileAsync(TarWriter writer, string name, Stream data, CancellationToken cancellationToken) =>
        writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.RegularFile, name) { Mode = FileMode, ModificationTime = Epoch, DataStream = data }, cancellationToken);
}
