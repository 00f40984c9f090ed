using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>Debian's haproxy on 127.0.0.1, round-robin per request over the given backends, with no affinity of any kind.</summary>
internal sealed class Haproxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private Haproxy(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>A port free on 127.0.0.1 a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<Haproxy> StartAsync(IEnumerable<Uri> backends)
    {
        var haproxy = new[] { "/usr/sbin/haproxy", "/usr/bin/haproxy" }.FirstOrDefault(File.Exists);
        Assert.That(haproxy, Is.Not.Null, "haproxy is missing; install it with `. scripts/engine.sh && smcp_test_services`.");
        var directory = Directory.CreateTempSubdirectory("smcp-haproxy-").FullName;
        var port = FreePort();
        var servers = string.Join('\n', backends.Select((b, i) => $"    server r{i} {b.Host}:{b.Port} check inter 300ms fall 1 rise 1"));

        // http-server-close: every request is balanced on its own (no server connection kept for the next one);
        // redispatch: a request whose server refuses the connection goes to another one.
        var config = $"""
            global
                maxconn 512
            defaults
                mode http
                option http-server-close
                option redispatch
                retries 2
                timeout connect 1s
                timeout client 120s
                timeout server 120s
            frontend mcp
                bind 127.0.0.1:{port}
                default_backend replicas
            backend replicas
                balance roundrobin
            {servers}
            """;
        var path = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config + "\n");
        var info = new ProcessStartInfo(haproxy!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-db", "-f", path })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var proxy = new Haproxy(process, directory, port);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return proxy;
            }
            catch (SocketException) when (!process.HasExited)
            {
                await Task.Delay(50);
            }
        }

        await proxy.DisposeAsync();
        Assert.Fail($"haproxy did not listen on 127.0.0.1:{port}.");
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
