using Smcp.Orchestrator.Config;
using System.Text.Json;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>What vetting learned about the image itself from its manifest and config.</summary>
internal sealed record SavedImage
{
    public required int LayerCount { get; init; }

    public IReadOnlyList<string>? Entrypoint { get; init; }

    public IReadOnlyList<string>? Cmd { get; init; }

    public string? User { get; init; }

    public required IReadOnlyList<string> EnvNames { get; init; }

    public required IReadOnlyList<string> RepoTags { get; init; }

    /// <summary>The vetted bytes, when manifest, config and layers all agree.</summary>
    public VettedImage? Content { get; init; }
}

/// <summary>Decides, once the whole tarball is read, whether it is one well-formed image and what its config says.</summary>
internal static class SavedImageInspector
{
    private const string ManifestPath = "manifest.json";

    public static SavedImage? Inspect(SavedArchive archive, VettingPolicy policy, FindingCollector findings)
    {
        if (ReadManifest(archive, findings) is not { } entry)
        {
            return null;
        }

        var layers = entry.Layers!.Select(l => l!).ToList();
        if (layers.Count > policy.MaxLayers)
        {
            findings.Error(FindingCodes.TooManyLayers,
                $"The image has {layers.Count} layers; the limit is {policy.MaxLayers}. Squash layers (fewer RUN/COPY steps or a multi-stage build).");
        }

        CheckLayers(archive, layers, findings);
        if (ReadConfig(archive, entry.Config!, layers.Count, findings) is not { } read)
        {
            return new SavedImage { LayerCount = layers.Count, EnvNames = [], RepoTags = Tags(entry) };
        }

        var (config, configBytes) = read;
        var content = ImageDigests.Check(entry.Config!, configBytes, config.Rootfs!.DiffIds!, layers, archive, findings);
        var container = config.Config!;
        CheckVolumes(entry.Config!, container, findings);
        var severity = policy.OnSuspiciousEnv == SuspiciousEnvAction.Reject ? FindingSeverity.Error : FindingSeverity.Warning;
        return new SavedImage
        {
            LayerCount = layers.Count,
            EnvNames = CheckEnv(container.Env, severity, findings),
            Entrypoint = Redact(container.Entrypoint, "ENTRYPOINT", severity, findings),
            Cmd = Redact(container.Cmd, "CMD", severity, findings),
            User = container.User,
            RepoTags = Tags(entry),
            Content = content,
        };
    }

    private static void CheckVolumes(string configPath, SavedContainerConfig container, FindingCollector findings)
    {
        if (container.Volumes is { Count: > 0 } volumes)
        {
            findings.Error(FindingCodes.Volumes,
                $"The image config declares VOLUME {string.Join(", ", volumes.Keys.Take(5))}: the engine would create a volume on the host for it, "
                + "outside the sandbox's size caps and left behind after the session. Remove VOLUME from the Dockerfile; "
                + "write scratch data under /tmp (a size-capped tmpfs) instead.",
                configPath);
        }
    }

    private static SavedManifestEntry? ReadManifest(SavedArchive archive, FindingCollector findings)
    {
        if (!archive.Json.TryGetValue(ManifestPath, out var json))
        {
            var present = archive.Contains(ManifestPath);
            findings.Error(present ? FindingCodes.ManifestInvalid : FindingCodes.ManifestMissing,
                present
                    ? "manifest.json is not JSON. Upload the output of `docker save IMAGE` unchanged."
                    : "The tarball has no manifest.json, so it is not a `docker save` tarball. Upload the output of `docker save IMAGE`.",
                ManifestPath);
            return null;
        }

        SavedManifestEntry?[]? entries;
        try
        {
            entries = JsonSerializer.Deserialize(json, DockerSaveJsonContext.Default.SavedManifestEntryArray);
        }
        catch (JsonException ex)
        {
            findings.Error(FindingCodes.ManifestInvalid,
                $"manifest.json is not a valid docker save manifest (at {ex.Path ?? "$"}). Upload the output of `docker save IMAGE` unchanged.",
                ManifestPath);
            return null;
        }

        if (entries is null || entries.Length == 0)
        {
            findings.Error(FindingCodes.ManifestInvalid, "manifest.json lists no image. Upload the output of `docker save IMAGE`.", ManifestPath);
            return null;
        }

        if (entries.Length > 1)
        {
            findings.Error(FindingCodes.MultipleImages,
                $"The tarball holds {entries.Length} images; upload one image per tarball (`docker save` with a single image).",
                ManifestPath);
            return null;
        }

        if (entries[0] is not { Config.Length: > 0, Layers: { } layers } entry || layers.Any(string.IsNullOrEmpty))
        {
            findings.Error(FindingCodes.ManifestInvalid,
                "manifest.json names no config file or has an empty layer entry. Upload the output of `docker save IMAGE` unchanged.",
                ManifestPath);
            return null;
        }

        return entry;
    }

    private static void CheckLayers(SavedArchive archive, List<string> layers, FindingCollector findings)
    {
        // A layer listed twice is reported once.
        foreach (var layer in layers.Distinct(StringComparer.Ordinal))
        {
            if (!archive.Layers.TryGetValue(SavedArchive.Normalize(layer), out var scan))
            {
                var present = archive.Contains(SavedArchive.Normalize(layer));
                findings.Error(present ? FindingCodes.CorruptArchive : FindingCodes.LayerMissing,
                    present
                        ? $"The layer {layer} is not a tar archive. Upload the output of `docker save IMAGE` unchanged."
                        : $"manifest.json lists the layer {layer}, but the tarball does not contain it (incomplete upload?).",
                    layer);
            }
            else if (scan.Unreadable is { } why)
            {
                findings.Error(scan.UnreadableCode, $"The layer {layer} cannot be read: {why}.", layer);
                findings.AddAll(scan.Findings);
            }
            else
            {
                findings.AddAll(scan.Findings);
            }
        }
    }

    private static (SavedImageConfig Config, byte[] Bytes)? ReadConfig(SavedArchive archive, string path, int layerCount, FindingCollector findings)
    {
        if (!archive.Json.TryGetValue(SavedArchive.Normalize(path), out var json))
        {
            findings.Error(FindingCodes.ConfigMissing,
                $"manifest.json names the image config {path}, but the tarball has no such JSON file. Upload the output of `docker save IMAGE` unchanged.",
                path);
            return null;
        }

        SavedImageConfig? config;
        try
        {
            config = JsonSerializer.Deserialize(json, DockerSaveJsonContext.Default.SavedImageConfig);
        }
        catch (JsonException ex)
        {
            findings.Error(FindingCodes.ConfigInvalid, $"The image config {path} is not valid (at {ex.Path ?? "$"}).", path);
            return null;
        }

        if (config is not { Config: not null, Rootfs.DiffIds: { } diffIds })
        {
            findings.Error(FindingCodes.ConfigInvalid, $"The image config {path} has no \"config\" or no \"rootfs\" with \"diff_ids\".", path);
            return null;
        }

        if (diffIds.Count != layerCount)
        {
            findings.Error(FindingCodes.ConfigInvalid,
                $"The image config {path} lists {diffIds.Count} layers but manifest.json lists {layerCount}.",
                path);
        }

        return (config, json);
    }

    private static List<string> CheckEnv(IReadOnlyList<string?>? env, FindingSeverity severity, FindingCollector findings)
    {
        var names = new List<string>();
        foreach (var variable in (env ?? []).OfType<string>())
        {
            var split = variable.IndexOf('=', StringComparison.Ordinal);
            var name = split < 0 ? variable : variable[..split];
            var value = split < 0 ? "" : variable[(split + 1)..];
            names.Add(name);
            if (SecretShapes.IsSuspiciousEnv(name, value))
            {
                findings.Add(new VettingFinding
                {
                    Severity = severity,
                    Code = FindingCodes.SuspiciousEnv,
                    Message = $"The image sets ENV {name}, which looks like a credential. Anyone who can read the image can read it: "
                        + "remove it from the image and set it as a server secret instead.",
                });
            }
        }

        return names;
    }

    private static List<string>? Redact(IReadOnlyList<string?>? arguments, string what, FindingSeverity severity, FindingCollector findings)
    {
        if (arguments is null)
        {
            return null;
        }

        var redacted = new List<string>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i] ?? "";
            if (SecretShapes.HasTokenShape(argument))
            {
                findings.Add(new VettingFinding
                {
                    Severity = severity,
                    Code = FindingCodes.SecretInCommand,
                    Message = $"Argument {i} of the image's {what} looks like a credential (shown as {SecretShapes.Redacted}). "
                        + "Remove it from the image and set it as a server secret instead.",
                });
                argument = SecretShapes.Redacted;
            }

            redacted.Add(argument);
        }

        return redacted;
    }

    private static List<string> Tags(SavedManifestEntry entry) => (entry.RepoTags ?? []).OfType<string>().ToList();
}
