namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>The bytes vetting checked and passed: the image config and each layer's private copy, in manifest order.</summary>
/// <remarks>The canonical archive the engine loads is written from these alone; the engine's image id is <see cref="ImageId"/>.</remarks>
internal sealed record VettedImage
{
    public required byte[] Config { get; init; }

    /// <summary>Hex SHA-256 of <see cref="Config"/>.</summary>
    public required string ConfigDigest { get; init; }

    public required IReadOnlyList<VettedLayer> Layers { get; init; }

    public string ImageId => "sha256:" + ConfigDigest;
}

/// <summary>One layer: its diff_id (hex SHA-256 of the uncompressed tar) and the file holding its stored bytes.</summary>
internal sealed record VettedLayer(string DiffId, string SpoolPath);

/// <summary>The report, and the vetted bytes when the verdict is not a reject.</summary>
internal sealed record VettingOutcome(VettingReport Report, VettedImage? Image);
