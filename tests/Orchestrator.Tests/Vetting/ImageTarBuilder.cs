using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Smcp.Orchestrator.Tests.Vetting;

/// <summary>Builds <c>docker save</c>-shaped tarballs in memory: manifest.json, a config JSON and layer tars.</summary>
internal sealed class ImageTarBuilder
{
    private readonly List<(byte[] Content, bool Blob, byte[] Unpacked)> layers = [];
    private readonly List<TarEntry> extraEntries = [];
    private readonly List<string> volumes = [];
    private int repeatsOfLastLayer;
    private readonly List<string> env = ["PATH=/usr/local/bin:/usr/bin:/bin"];
    private readonly List<string> extraManifestLayers = [];
    private string[] cmd = ["/app/server", "--stdio"];

    public bool IncludeManifest { get; init; } = true;

    /// <summary>Writes manifest.json first instead of last (docker writes it last).</summary>
    public bool ManifestFirst { get; init; }

    /// <summary>Stores manifest.json under another name and adds manifest.json as a link of this kind to it.</summary>
    public TarEntryType? ManifestThrough { get; init; }

    /// <summary>Lists this in the config's diff_ids instead of the first layer's real one.</summary>
    public string? FirstDiffId { get; init; }

    /// <summary>Stores the config under this name instead of its digest.</summary>
    public string? ConfigName { get; init; }

    /// <summary>Gives the image config a HEALTHCHECK at this interval (the engine's minimum is 1 ms).</summary>
    public TimeSpan? HealthcheckInterval { get; init; }

    public static TarEntry File(string path, string mode = "755", string content = "#!/bin/sh\n")
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, path)
        {
            Mode = (UnixFileMode)Convert.ToInt32(mode, 8),
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        };
        return entry;
    }

    public static TarEntry Special(TarEntryType type, string path) =>
        new PaxTarEntry(type, path) { Mode = (UnixFileMode)Convert.ToInt32("644", 8) };

    public static TarEntry HardLink(string path, string target) => new PaxTarEntry(TarEntryType.HardLink, path) { LinkName = target };

    public ImageTarBuilder Layer(params TarEntry[] entries) => AddLayer(gzip: false, entries);

    public ImageTarBuilder GzipLayer(params TarEntry[] entries) => AddLayer(gzip: true, entries);

    public ImageTarBuilder Env(string variable)
    {
        env.Add(variable);
        return this;
    }

    public ImageTarBuilder Cmd(params string[] arguments)
    {
        cmd = arguments;
        return this;
    }

    /// <summary>Lists the last layer once more, stored as a symlink to the first copy, as docker save does for a repeated layer.</summary>
    public ImageTarBuilder RepeatLastLayer()
    {
        repeatsOfLastLayer++;
        return this;
    }

    public ImageTarBuilder Volume(string path)
    {
        volumes.Add(path);
        return this;
    }

    /// <summary>Writes <paramref name="entry"/> into the outer tarball, after everything else.</summary>
    public ImageTarBuilder OuterEntry(TarEntry entry)
    {
        extraEntries.Add(entry);
        return this;
    }

    public ImageTarBuilder ManifestAlsoLists(string layerPath)
    {
        extraManifestLayers.Add(layerPath);
        return this;
    }

    public byte[] Build()
    {
        var files = new List<(string Path, byte[] Content)>();
        var layerPaths = new List<string>();
        var diffIds = new JsonArray();
        foreach (var (content, blob, unpacked) in layers)
        {
            var digest = Convert.ToHexStringLower(SHA256.HashData(content));
            diffIds.Add(diffIds.Count == 0 && FirstDiffId is not null ? FirstDiffId : $"sha256:{Convert.ToHexStringLower(SHA256.HashData(unpacked))}");
            var path = blob ? $"blobs/sha256/{digest}" : $"{digest}/layer.tar";
            files.Add((path, content));
            layerPaths.Add(path);
        }

        var links = new List<(string Path, string Target)>();
        for (var i = 0; i < repeatsOfLastLayer; i++)
        {
            diffIds.Add(diffIds[^1]!.GetValue<string>());
            var path = $"repeat{i}/layer.tar";
            links.Add((path, $"../{layerPaths[^1]}"));
            layerPaths.Add(path);
        }

        var config = new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray(env.Select(e => (JsonNode)e!).ToArray()),
                ["Entrypoint"] = null,
                ["Cmd"] = new JsonArray(cmd.Select(c => (JsonNode)c!).ToArray()),
                ["User"] = "65534:65534",
                ["Volumes"] = volumes.Count == 0 ? null : new JsonObject(volumes.Select(v => KeyValuePair.Create(v, (JsonNode?)new JsonObject()))),
                ["Healthcheck"] = HealthcheckInterval is { } interval
                    ? new JsonObject { ["Test"] = new JsonArray("CMD", "/app/server"), ["Interval"] = (long)(interval.TotalMilliseconds * 1_000_000), ["Retries"] = 1 }
                    : null,
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
        };
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var configPath = ConfigName ?? $"{Convert.ToHexStringLower(SHA256.HashData(configBytes))}.json";
        files.Add((configPath, configBytes));

        var manifest = new JsonArray(new JsonObject
        {
            ["Config"] = configPath,
            ["RepoTags"] = new JsonArray("example/notes:1.0"),
            ["Layers"] = new JsonArray(layerPaths.Concat(extraManifestLayers).Select(l => (JsonNode)l!).ToArray()),
        });
        if (IncludeManifest)
        {
            var entry = (ManifestThrough is null ? "manifest.json" : "real-manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            if (ManifestThrough is { } link)
            {
                links.Add(("manifest.json", link == TarEntryType.HardLink ? "real-manifest.json" : "./real-manifest.json"));
            }

            if (ManifestFirst)
            {
                files.Insert(0, entry);
            }
            else
            {
                files.Add(entry);
            }
        }

        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(content) });
            }

            foreach (var (path, target) in links)
            {
                var type = path == "manifest.json" && ManifestThrough == TarEntryType.HardLink ? TarEntryType.HardLink : TarEntryType.SymbolicLink;
                writer.WriteEntry(new PaxTarEntry(type, path) { LinkName = target });
            }

            foreach (var entry in extraEntries)
            {
                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    private ImageTarBuilder AddLayer(bool gzip, TarEntry[] entries)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        layers.Add(gzip ? (Gzip(tar.ToArray()), true, tar.ToArray()) : (tar.ToArray(), false, tar.ToArray()));
        return this;
    }

    /// <summary>Adds a layer blob stored exactly as given (OCI layout path); its diff_id is the SHA-256 of all of it.</summary>
    public ImageTarBuilder RawLayer(byte[] content)
    {
        layers.Add((content, true, content));
        return this;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
