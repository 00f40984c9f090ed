using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.Config;

internal sealed record ConfigMonitorOptions
{
    /// <summary>How often the file is re-read even without a file-system event (inotify is not everywhere: some bind mounts, NFS).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the file must stay the same before it is taken as written; rides out partial writes.</summary>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Also react at once to file-system events; off leaves only the periodic check.</summary>
    public bool WatchFileSystem { get; init; } = true;

    /// <summary>Looks up SMCP_PG_APP/SMCP_PG_OWNER; the process environment when null.</summary>
    public Func<string, string?>? Environment { get; init; }
}

internal sealed class ConfigChangedEventArgs(SmcpConfig previous, SmcpConfig current, long version) : EventArgs
{
    public SmcpConfig Previous { get; } = previous;

    public SmcpConfig Current { get; } = current;

    public long Version { get; } = version;
}

/// <summary>Keeps the last good smcp.yaml in force and applies every valid edit of it live.</summary>
/// <remarks>
/// An edit that does not validate is logged with all its mistakes and ignored: the running system keeps the
/// last good configuration. Each change is read only once the file has stopped changing, so an editor that
/// writes by rename or a half-written file is seen whole; a file that is briefly missing is not an edit.
/// </remarks>
internal sealed class ConfigMonitor : BackgroundService
{
    private const int MaxSettleRounds = 20;

    private readonly string path;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<ConfigMonitor> logger;
    private readonly ConfigMonitorOptions options;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Channel<bool> signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile Snapshot snapshot;
    private string seenHash;
    private string? reportedProblem;

    /// <param name="initial">The valid result of <see cref="ConfigLoader.Load"/> for <paramref name="path"/>; start-up with an invalid file is the caller's to refuse.</param>
    public ConfigMonitor(string path, ConfigResult initial, TimeProvider timeProvider, ILogger<ConfigMonitor> logger, ConfigMonitorOptions? options = null)
    {
        if (!initial.IsValid)
        {
            throw new ArgumentException("The monitor starts from a valid configuration; report the errors and exit instead.", nameof(initial));
        }

        this.path = path;
        this.timeProvider = timeProvider;
        this.logger = logger;
        this.options = options ?? new ConfigMonitorOptions();
        snapshot = new Snapshot(initial.Config, 1);
        seenHash = initial.ContentHash;
    }

    /// <summary>Raised after a valid edit is applied, on the monitor's thread; a handler that throws is logged.</summary>
    public event EventHandler<ConfigChangedEventArgs>? Changed;

    /// <summary>The configuration in force: the last one that validated.</summary>
    public SmcpConfig Current => snapshot.Config;

    /// <summary>1 at start-up, one more for each applied edit.</summary>
    public long Version => snapshot.Version;

    /// <summary>Checks the file now (e.g. on SIGHUP) instead of waiting for the watcher or the next periodic check.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await CheckAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        gate.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = options.WatchFileSystem ? StartWatcher() : null;
        using var timer = new PeriodicTimer(options.PollInterval, timeProvider);
        var ticking = TickAsync(timer, stoppingToken);
        try
        {
            // The first check catches an edit made between the initial load and now.
            signals.Writer.TryWrite(true);
            await foreach (var _ in signals.Reader.ReadAllAsync(stoppingToken))
            {
                await ReloadAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await ticking;
    }

    private async Task TickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                signals.Writer.TryWrite(true);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private FileSystemWatcher? StartWatcher()
    {
        var fullPath = Path.GetFullPath(path);
        try
        {
            // The folder is watched, not the file: editors that save by rename replace the file being watched.
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(fullPath)!, Path.GetFileName(fullPath))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => signals.Writer.TryWrite(true);
            watcher.Created += (_, _) => signals.Writer.TryWrite(true);
            watcher.Renamed += (_, _) => signals.Writer.TryWrite(true);
            watcher.Deleted += (_, _) => signals.Writer.TryWrite(true);
            watcher.Error += (_, _) => signals.Writer.TryWrite(true);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            ConfigLog.WatcherUnavailable(logger, ex, path, options.PollInterval);
            return null;
        }
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var read = await ReadSettledAsync(cancellationToken);
        if (read.Problem is { } problem)
        {
            if (problem != reportedProblem)
            {
                ConfigLog.ConfigUnreadable(logger, path, problem, Version);
                reportedProblem = problem;
            }

            return;
        }

        reportedProblem = null;
        if (read.Hash == seenHash)
        {
            return;
        }

        seenHash = read.Hash;
        var result = ConfigLoader.Parse(read.Bytes, path, options.Environment);
        if (!result.IsValid)
        {
            ConfigLog.ConfigRejected(logger, path, result.Errors.Count, Version, string.Join('\n', result.Errors));
            return;
        }

        var previous = snapshot;
        var next = new Snapshot(result.Config, previous.Version + 1);
        snapshot = next;
        ConfigLog.ConfigApplied(logger, path, next.Version, next.Config.Tenants.Count);
        try
        {
            Changed?.Invoke(this, new ConfigChangedEventArgs(previous.Config, next.Config, next.Version));
        }
        catch (Exception ex)
        {
            ConfigLog.ChangeHandlerFailed(logger, ex, next.Version);
        }
    }

    // Reads until two reads a settle delay apart agree, so a file in the middle of being written is not taken.
    private async Task<FileRead> ReadSettledAsync(CancellationToken cancellationToken)
    {
        var current = Read();
        for (var round = 0; round < MaxSettleRounds && current.Hash != seenHash; round++)
        {
            await Task.Delay(options.SettleDelay, timeProvider, cancellationToken);
            var again = Read();
            if (again == current)
            {
                return again;
            }

            current = again;
        }

        return current;
    }

    private FileRead Read()
    {
        if (!ConfigLoader.TryRead(path, out var bytes, out var problem))
        {
            return new FileRead([], "", problem);
        }

        return new FileRead(bytes, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), null);
    }

    private sealed record Snapshot(SmcpConfig Config, long Version);

    private sealed record FileRead(byte[] Bytes, string Hash, string? Problem)
    {
        public bool Equals(FileRead? other) => other is not null && Hash == other.Hash && Problem == other.Problem;

        public override int GetHashCode() => HashCode.Combine(Hash, Problem);
    }
}
