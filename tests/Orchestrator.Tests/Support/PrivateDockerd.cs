using System.Diagnostics;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>A dockerd of the test's own (data, exec root, pid file and socket in a temp folder; no bridge, no iptables; runsc as on the shared engine), so a test can stop and start it.</summary>
/// <remarks>The shared dockerd is never restarted: every suite runs its sandboxes on it.</remarks>
internal sealed class PrivateDockerd : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string _directory;
    private Process? _process;

    private PrivateDockerd(string directory)
    {
        _directory = directory;
    }

    public string Endpoint => $"unix://{Socket}";

    public int Pid => _process?.Id ?? 0;

    private string Socket => Path.Combine(_directory, "d.sock");

    public static async Task<PrivateDockerd> StartAsync()
    {
        if (!File.Exists("/usr/sbin/dockerd"))
        {
            Assert.Fail("dockerd is not installed; install it with `. scripts/engine.sh && smcp_start_engine`.");
        }

        // Short: a unix socket path has at most 107 bytes.
        var directory = Directory.CreateTempSubdirectory("smcp-dk-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "daemon.json"), """
            { "runtimes": { "runsc": { "path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"] } }, "bridge": "none", "iptables": false, "ip6tables": false }
            """);
        var dockerd = new PrivateDockerd(directory);
        try
        {
            await dockerd.StartDaemonAsync();
        }
        catch
        {
            var log = Path.Combine(directory, "dockerd.log");
            TestContext.Out.WriteLine(File.Exists(log) ? await File.ReadAllTextAsync(log) : "(dockerd wrote no log)");
            await dockerd.DisposeAsync();
            throw;
        }

        return dockerd;
    }

    public async Task StartDaemonAsync()
    {
        // exec: the PID started is dockerd's own, so stopping it by that PID stops dockerd.
        var info = new ProcessStartInfo("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec /usr/sbin/dockerd --config-file {_directory}/daemon.json --data-root {_directory}/data --exec-root {_directory}/exec "
                              + $"--pidfile {_directory}/d.pid -H {Endpoint} >>{_directory}/dockerd.log 2>&1");
        _process = Process.Start(info)!;
        using var client = new SandboxContainers(Endpoint);
        for (var deadline = DateTime.UtcNow + StartTimeout; DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            if (_process.HasExited)
            {
                Assert.Fail($"the private dockerd exited with code {_process.ExitCode}; see {_directory}/dockerd.log");
            }

            if (await client.PingAsync())
            {
                return;
            }
        }

        Assert.Fail($"the private dockerd did not answer within {StartTimeout.TotalSeconds} s; see {_directory}/dockerd.log");
    }

    /// <summary>Stops it by its PID (SIGTERM, as a service manager restarting it does; its containers are stopped with it).</summary>
    public async Task StopDaemonAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        await SmcpServerFixture.RunAsync("kill", $"-TERM {_process.Id}");
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopDaemonAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
