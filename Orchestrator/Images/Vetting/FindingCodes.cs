namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>The codes a <see cref="VettingFinding"/> carries; clients may match on them.</summary>
internal static class FindingCodes
{
    public const string CorruptArchive = "corrupt-archive";
    public const string TooLarge = "too-large";
    public const string TooManyLayers = "too-many-layers";
    public const string ManifestMissing = "manifest-missing";
    public const string ManifestInvalid = "manifest-invalid";
    public const string MultipleImages = "multiple-images";
    public const string ConfigMissing = "config-missing";
    public const string ConfigInvalid = "config-invalid";
    public const string LayerMissing = "layer-missing";
    public const string UnsupportedLayer = "unsupported-layer";
    public const string SetuidFile = "setuid-file";
    public const string SetgidFile = "setgid-file";
    public const string DeviceFile = "device-file";
    public const string FifoFile = "fifo-file";
    public const string UnsafePath = "unsafe-path";
    public const string UnsafeLink = "unsafe-link";
    public const string UnsafeWhiteout = "unsafe-whiteout";
    public const string UnsupportedEntry = "unsupported-entry";
    public const string DiffIdMismatch = "diff-id-mismatch";
    public const string DigestMismatch = "digest-mismatch";
    public const string Volumes = "volumes";
    public const string SuspiciousEnv = "suspicious-env";
    public const string SecretInCommand = "secret-in-command";
}
