using System.Text.Json.Serialization;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>What happens to an uploaded image after vetting.</summary>
internal enum Verdict
{
    [JsonStringEnumMemberName("accept")]
    Accept,

    [JsonStringEnumMemberName("warn")]
    Warn,

    [JsonStringEnumMemberName("reject")]
    Reject,
}

internal enum FindingSeverity
{
    [JsonStringEnumMemberName("info")]
    Info,

    [JsonStringEnumMemberName("warning")]
    Warning,

    [JsonStringEnumMemberName("error")]
    Error,
}

/// <summary>One thing vetting found; <see cref="Path"/> is the file inside the image (or the tarball) it is about.</summary>
internal sealed record VettingFinding
{
    public required FindingSeverity Severity { get; init; }

    /// <summary>Stable machine-readable code, one of <see cref="FindingCodes"/>.</summary>
    public required string Code { get; init; }

    public required string Message { get; init; }

    public string? Path { get; init; }
}

/// <summary>The outcome of vetting one <c>docker save</c> tarball, stored with the image and returned by the API.</summary>
/// <remarks>Holds names only, never the values of environment variables or secrets found in the image.</remarks>
internal sealed record VettingReport
{
    public required Verdict Verdict { get; init; }

    public required IReadOnlyList<VettingFinding> Findings { get; init; }

    public int LayerCount { get; init; }

    /// <summary>Bytes of the tarball that were read.</summary>
    public long TotalBytes { get; init; }

    /// <summary>Bytes of the layer archives after decompression.</summary>
    public long UnpackedBytes { get; init; }

    /// <summary>The engine's id for the image: <c>sha256:</c> and the SHA-256 of the vetted config.</summary>
    public string? ImageId { get; init; }

    /// <summary>The image's entrypoint; an argument that looks like a credential is replaced by <see cref="SecretShapes.Redacted"/>.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>The image's command; an argument that looks like a credential is replaced by <see cref="SecretShapes.Redacted"/>.</summary>
    public IReadOnlyList<string>? Cmd { get; init; }

    public string? User { get; init; }

    public IReadOnlyList<string> EnvNames { get; init; } = [];

    public IReadOnlyList<string> RepoTags { get; init; } = [];

    /// <summary>Reject when any finding is an error, Warn when any is a warning, otherwise Accept.</summary>
    public static Verdict Decide(IReadOnlyList<VettingFinding> findings) =>
        findings.Any(f => f.Severity == FindingSeverity.Error) ? Verdict.Reject
        : findings.Any(f => f.Severity == FindingSeverity.Warning) ? Verdict.Warn
        : Verdict.Accept;
}
