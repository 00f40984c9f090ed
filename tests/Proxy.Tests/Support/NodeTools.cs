using System.Diagnostics;

namespace Smcp.Proxy.Tests.Support;

/// <summary>Node 22 and the official conformance runner, installed into the state folder on first use.</summary>
internal static class NodeTools
{
    public const string ConformanceVersion = "0.1.16";

    public static string RepoRoot { get; } = FindRoot();

    public static string StateDir => Environment.GetEnvironmentVariable("SMCP_STATE") is { Length: > 0 } state ? state : "/var/lib/smcp-dev";

    public static async Task<string> Node22Async()
    {
        var (code, output) = await RunAsync("bash", ["-c", ". scripts/engine.sh && smcp_node22"], RepoRoot, TimeSpan.FromMinutes(5));
        Assert.That(code, Is.EqualTo(0), "Node 22 is needed for the conformance runner; `. scripts/engine.sh && smcp_node22` failed: " + output);
        return output.Trim().Split('\n')[^1];
    }

    /// <summary>The runner's entry script, npm-installed into a cache folder when missing.</summary>
    public static async Task<string> ConformanceRunnerAsync()
    {
        var dir = Path.Combine(StateDir, "conformance-" + ConformanceVersion);
        var entry = Path.Combine(dir, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
        if (!File.Exists(entry))
        {
            Directory.CreateDirectory(dir);
            var (code, output) = await RunAsync("npm", ["install", "--silent", "--no-audit", "--no-fund", $"@modelcontextprotocol/conformance@{ConformanceVersion}"], dir, TimeSpan.FromMinutes(5));
            Assert.That(code, Is.EqualTo(0), $"npm install @modelcontextprotocol/conformance@{ConformanceVersion} failed (is the npm registry reachable?): " + output);
        }

        return entry;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish within {timeout}.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SMCP.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SMCP.sln not found above the test directory.");
    }
}
