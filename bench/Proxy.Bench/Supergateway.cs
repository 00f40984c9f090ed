using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Smcp.Bench;

/// <summary>supergateway 4.0.0, stdio → Streamable HTTP, stateful (a child server process per session), held to 127.0.0.1.</summary>
internal sealed class Supergateway : IAsyncDisposable
{
    private readonly Process _process;

    private Supergateway(Process process, int port)
    {
        _process = process;
        Endpoint = new Uri($"http://127.0.0.1:{port}/mcp");
    }

    public Uri Endpoint { get; }

    /// <remarks>supergateway has no bind-address flag: <paramref name="loopbackPreload"/> makes its listen() use 127.0.0.1.</remarks>
    public static async Task<Supergateway> StartAsync(string node, string gateway, string loopbackPreload, string serverScript, CancellationToken ct)
    {
        var port = FreePort();
        var info = new ProcessStartInfo(node) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     "--require", loopbackPreload, gateway,
                     "--stdio", $"{node} {serverScript} stdio",
                     "--outputTransport", "streamableHttp", "--stateful", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--logLevel", "none",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("supergateway did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, ct);
                return new Supergateway(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(100, ct);
            }
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("supergateway did not listen within 10 s");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Gone already.
        }

        _process.Dispose();
    }
}
