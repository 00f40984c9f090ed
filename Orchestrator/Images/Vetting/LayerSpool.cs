namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>Private files next to an upload that keep each layer's bytes as they were hashed; all deleted on dispose.</summary>
/// <remarks>What the engine loads is written from these copies, never from the upload itself.</remarks>
internal sealed class LayerSpool(string prefix) : IDisposable
{
    private readonly List<string> _files = [];

    /// <summary>A new empty file (mode 0600) for one layer; <see cref="FileStream.Name"/> is its path.</summary>
    public FileStream Create()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Layers are spooled with Unix file modes; SMCP runs on Linux.");
        }

        var path = $"{prefix}.layer-{_files.Count}";
        _files.Add(path);
        return new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            File.Delete(file);
        }

        _files.Clear();
    }
}
