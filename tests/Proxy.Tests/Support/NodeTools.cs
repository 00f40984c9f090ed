using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Smcp.Proxy.Tests.Support;

/// <summary>Node 22 and the official conformance runner, installed into the state folder on first use.</summary>
internal static class NodeTools
{
    public const string ConformanceVersion = "0.1.16";

    /// <summary>The newest runner the registry serves; the first with the 2026-07-28 requirement set (<c>--requirements</c>).</summary>
    public const string StatelessConformanceVersion = "0.2.0-alpha.12";

    public static string RepoRoot { get; } = FindRoot();

    public static string StateDir => Environment.GetEnvironmentVariable("SMCP_STATE") is { Length: > 0 } state ? state : "/var/lib/smcp-dev";

    public static async Task<string> Node22Async()
    {
        var (code, output) = await RunAsync("bash", ["-c", ". scripts/engine.sh && smcp_node22"], RepoRoot, TimeSpan.FromMinutes(5));
        Assert.That(code, Is.EqualTo(0), "Node 22 is needed for the conformance runner; `. scripts/engine.sh && smcp_node22` failed: " + output);
        return output.Trim().Split('\n')[^1];
    }

    /// <summary>The runner's entry script, npm-installed into a cache folder when missing.</summary>
    public static async Task<string> ConformanceRunnerAsync(string version = ConformanceVersion)
    {
        var dir = Path.Combine(StateDir, "conformance-" + version);
        var entry = Path.Combine(dir, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
        var complete = Path.Combine(dir, ".complete");
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(complete))
            {
                return entry;
            }

            // Installed beside and renamed into place with a marker: an install cut short (seen: .js files missing) is never taken for a whole one.
            var staging = dir + ".staging-" + Environment.ProcessId;
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            Directory.CreateDirectory(staging);
            var (code, output) = await RunAsync("npm", ["install", "--silent", "--no-audit", "--no-fund", $"@modelcontextprotocol/conformance@{version}"], staging, TimeSpan.FromMinutes(5));
            Assert.That(code, Is.EqualTo(0), $"npm install @modelcontextprotocol/conformance@{version} failed (is the npm registry reachable?): " + output);
            await File.WriteAllTextAsync(Path.Combine(staging, ".complete"), version);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            Directory.Move(staging, dir);
            return entry;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>
    /// Asserts what a test script reported, one JSON line per check (<c>{"check":…,"ok":…,"detail":…}</c>): every expected
    /// check ran and passed, no other check failed, and the script exited 0; each failure with its own message.
    /// </summary>
    public static void AssertChecks(int exitCode, string output, params string[] expectedChecks)
    {
        TestContext.Out.WriteLine(output);
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        var checks = output.Split('\n')
            .Where(line => line.StartsWith("{\"check\":", StringComparison.Ordinal))
            .Select(line => JsonSerializer.Deserialize<ScriptCheck>(line, options)!)
            .ToList();
        Assert.Multiple(() =>
        {
            foreach (var failure in checks.Where(c => !c.Ok && !expectedChecks.Contains(c.Check)))
            {
                Assert.Fail($"{failure.Check}: {failure.Detail}");
            }

            foreach (var name in expectedChecks)
            {
                var check = checks.FirstOrDefault(c => c.Check == name);
                Assert.That(check, Is.Not.Null, $"The check \"{name}\" did not run. Output:\n{output}");
                Assert.That(check?.Ok, Is.True, $"{name}: {check?.Detail}");
            }

            Assert.That(exitCode, Is.EqualTo(0), output);
        });
    }

    /// <summary>
    /// The folder whose node_modules holds what <paramref name="sourceDir"/>'s package-lock.json pins, installed with
    /// <c>npm ci</c> once per lock file into the state folder (never into the repository).
    /// </summary>
    public static async Task<string> NpmCiAsync(string sourceDir, string name)
    {
        var lockFile = Path.Combine(sourceDir, "package-lock.json");
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(lockFile)))[..16];
        var dir = Path.Combine(StateDir, name + "-" + hash);
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(dir, "node_modules/.package-lock.json")))
            {
                return dir;
            }

            // Installed beside and renamed into place, so a half-finished install is never taken for a whole one.
            var staging = dir + ".staging-" + Environment.ProcessId;
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            Directory.CreateDirectory(staging);
            File.Copy(Path.Combine(sourceDir, "package.json"), Path.Combine(staging, "package.json"));
            File.Copy(lockFile, Path.Combine(staging, "package-lock.json"));
            var (code, output) = await RunAsync("npm", ["ci", "--silent", "--no-audit", "--no-fund"], staging, TimeSpan.FromMinutes(5));
            Assert.That(code, Is.EqualTo(0),
                $"`npm ci` of {lockFile} into {staging} failed; the npm registry must be reachable (or put a finished install into {dir}): {output}");
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            Directory.Move(staging, dir);
            return dir;
        }
        finally
        {
            InstallLock.Release();
        }
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

/// <summary>One check a test script reported.</summary>
internal sealed record ScriptCheck(string Check, bool Ok, string Detail);
