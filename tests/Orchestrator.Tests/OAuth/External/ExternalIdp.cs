using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.External;

/// <summary>
/// <c>oidc-provider</c> (npm, a certified OpenID provider) running <c>idp.mjs</c> under Node 22 on 127.0.0.1,
/// installed with <c>npm ci</c> from this folder's lock file into a cache folder keyed by the lock file's hash.
/// </summary>
internal sealed class ExternalIdp : IAsyncDisposable
{
    private static readonly HttpClient Http = new();

    private readonly Process _process;

    private ExternalIdp(Process process, string issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    /// <summary>The provider's issuer, <c>http://127.0.0.1:{port}</c>.</summary>
    public string Issuer { get; }

    private static string SourceDir => Path.Combine(NodeTools.RepoRoot, "tests/Orchestrator.Tests/OAuth/External");

    public static async Task<ExternalIdp> StartAsync()
    {
        var node = await NodeTools.Node22Async();
        var install = await InstallAsync();
        var port = FreePort();
        var start = new ProcessStartInfo(node) { WorkingDirectory = SourceDir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(SourceDir, "idp.mjs"), install, port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line;
        try
        {
            while ((line = await process.StandardOutput.ReadLineAsync(deadline.Token)) is not null && !line.StartsWith("ready ", StringComparison.Ordinal))
            {
            }
        }
        catch (OperationCanceledException)
        {
            line = null;
        }

        if (line is null)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("oidc-provider did not start: " + await stderr);
        }

        return new ExternalIdp(process, line![6..].Trim());
    }

    /// <summary>An access token by client_credentials for <paramref name="resource"/> (RFC 8707), as the provider issues it.</summary>
    public async Task<string> TokenAsync(string client, string resource, string scope = "mcp")
    {
        using var response = await Http.PostAsync(Issuer + "/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = client,
            ["client_secret"] = client + "-secret",
            ["scope"] = scope,
            ["resource"] = resource,
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        return body!["access_token"]!.GetValue<string>();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static Task<string> InstallAsync() => NodeTools.NpmCiAsync(SourceDir, "oidc-provider");

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
