using System.Text.Json;
using System.Text.Json.Serialization;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>One image in a <c>docker save</c> manifest.json.</summary>
internal sealed record SavedManifestEntry
{
    public string? Config { get; init; }

    public IReadOnlyList<string?>? RepoTags { get; init; }

    public IReadOnlyList<string?>? Layers { get; init; }
}

/// <summary>The parts of an image config file (OCI image config / Docker image JSON) vetting reads.</summary>
internal sealed record SavedImageConfig
{
    public SavedContainerConfig? Config { get; init; }

    public SavedRootFs? Rootfs { get; init; }
}

internal sealed record SavedContainerConfig
{
    public IReadOnlyList<string?>? Env { get; init; }

    public IReadOnlyList<string?>? Entrypoint { get; init; }

    public IReadOnlyList<string?>? Cmd { get; init; }

    public string? User { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Volumes { get; init; }
}

internal sealed record SavedRootFs
{
    [JsonPropertyName("diff_ids")]
    public IReadOnlyList<string?>? DiffIds { get; init; }
}

/// <summary>Reads docker's own JSON (PascalCase manifest, lower-case config keys).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(SavedManifestEntry[]))]
[JsonSerializable(typeof(SavedImageConfig))]
internal sealed partial class DockerSaveJsonContext : JsonSerializerContext;
