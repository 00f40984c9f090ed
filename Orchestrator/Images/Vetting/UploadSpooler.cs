using Microsoft.Extensions.Options;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>Where uploads wait on disk while they are vetted and loaded.</summary>
internal sealed class UploadSpoolOptions
{
    /// <summary>A folder only the orchestrator can read; created with mode 0700 when missing.</summary>
    public string Directory { get; set; } = Path.Combine(Path.GetTempPath(), "smcp-uploads");

    /// <summary>Free space the spool never takes its disk below, so a flood of uploads cannot fill the host's disk.</summary>
    public long MinFreeBytes { get; set; } = 1L << 30;
}

/// <summary>The outcome of spooling an upload: the file on disk, or the limit it crossed.</summary>
internal abstract record SpoolResult
{
    private SpoolResult()
    {
    }

    /// <summary>The whole upload is on disk; dispose it to delete the file.</summary>
    public sealed record Spooled(SpooledUpload Upload) : SpoolResult;

    /// <summary>The spool's disk would fall below its floor; reading stopped and nothing is left on disk.</summary>
    public sealed record DiskFull(long MinFreeBytes) : SpoolResult
    {
        public string Message => $"The server's upload disk is nearly full (it keeps {MinFreeBytes} bytes free); try again later.";
    }

    /// <summary>The upload crossed the limit; reading stopped there and nothing is left on disk.</summary>
    public sealed record OverLimit(long LimitBytes) : SpoolResult
    {
        public string Message => $"The upload is over the limit of {LimitBytes} bytes.";
    }
}

/// <summary>An upload spooled to a private temp file, deleted on dispose.</summary>
internal sealed class SpooledUpload(string path, long length) : IDisposable
{
    public string Path { get; } = path;

    public long Length { get; } = length;

    public FileStream OpenRead() =>
        new(Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public void Dispose() => File.Delete(Path);
}

/// <summary>Copies an upload body to a private temp file and cuts it off at the tenant's byte limit.</summary>
internal sealed class UploadSpooler(IOptions<UploadSpoolOptions> options)
{
    private const int BufferSize = 81920;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    // Bytes set aside for files about to be written, which the free space does not show yet.
    private long _promised;

    /// <summary>Spools <paramref name="body"/>; never reads more than one byte past <paramref name="maxBytes"/>.</summary>
    public async Task<SpoolResult> SpoolAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Uploads are spooled with Unix file modes; SMCP runs on Linux.");
        }

        var directory = options.Value.Directory;
        System.IO.Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        var path = Path.Combine(directory, $"upload-{Guid.NewGuid():N}.tar");
        var kept = false;
        try
        {
            var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                UnixCreateMode = OwnerOnlyFile,
                BufferSize = 0,
            });
            long? total;
            await using (file.ConfigureAwait(false))
            {
                total = await CopyAsync(body, file, maxBytes, cancellationToken).ConfigureAwait(false);
            }

            if (total is null)
            {
                return DiskFull;
            }

            if (total > maxBytes)
            {
                return new SpoolResult.OverLimit(maxBytes);
            }

            kept = true;
            return new SpoolResult.Spooled(new SpooledUpload(path, total.Value));
        }
        finally
        {
            if (!kept)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>The refusal for an upload that would take the spool's disk below its floor.</summary>
    public SpoolResult.DiskFull DiskFull => new(options.Value.MinFreeBytes);

    /// <summary>True when <paramref name="bytes"/> more still leave the spool's disk above its floor, counting what is promised.</summary>
    public bool HasRoomFor(long bytes) =>
        new DriveInfo(options.Value.Directory).AvailableFreeSpace - Interlocked.Read(ref _promised) - bytes >= options.Value.MinFreeBytes;

    /// <summary>Sets <paramref name="bytes"/> of the disk aside for files about to be written (vetting's layer copies); null when they do not fit.</summary>
    /// <remarks>Taken before it is checked, so uploads at once cannot all pass one check of the same free space.</remarks>
    public IDisposable? Promise(long bytes)
    {
        Interlocked.Add(ref _promised, bytes);
        if (HasRoomFor(0))
        {
            return new Promised(this, bytes);
        }

        Interlocked.Add(ref _promised, -bytes);
        return null;
    }

    private sealed class Promised(UploadSpooler spooler, long bytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Add(ref spooler._promised, -bytes);
            }
        }
    }

    // Reads at most maxBytes + 1 bytes: the one extra byte is how an upload over the limit is told apart. Null: the disk is full.
    private async Task<long?> CopyAsync(Stream body, FileStream file, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        while (true)
        {
            var wanted = (int)Math.Min(buffer.Length, maxBytes - total + 1);
            var read = await body.ReadAsync(buffer.AsMemory(0, wanted), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return total;
            }

            total += read;
            if (total > maxBytes)
            {
                return total;
            }

            if (!HasRoomFor(read))
            {
                return null;
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }
}
