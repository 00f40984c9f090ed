using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Smcp.Proxy.Tests.Support;

/// <summary>Node 22 and the official conformance runner, installed into the state folder on first use.</summary>
internal static class NodeTools
{
    /// <summary>The lock folder of the newest runner the registry serves, the first with the 2026-07-28 requirement set (<c>--requirements</c>).</summary>
    public const string StatelessConformanceRunner = "runner-2026-07-28";

    public static string RepoRoot { get; } = FindRoot();

    public static string StateDir => Environment.GetEnvironmentVariable("SMCP_STATE") is { Length: > 0 } state ? state : "/var/lib/smcp-dev";

    public static async Task<string> Node22Async()
    {
        var (code, output) = await RunAsync("bash", ["-c", ". scripts/engine.sh && smcp_node22"], RepoRoot, TimeSpan.FromMinutes(5));
        Assert.That(code, Is.EqualTo(0), "Node 22 is needed for the conformance runner; `. scripts/engine.sh && smcp_node22` failed: " + output);
        return output.Trim().Split('\n')[^1];
    }

    /// <summary>The runner's entry script, from the lock file in <c>Conformance/{lockFolder}</c> (see <see cref="NpmCiAsync"/>).</summary>
    public static async Task<string> ConformanceRunnerAsync(string lockFolder = "runner")
    {
        var install = await NpmCiAsync(Path.Combine(RepoRoot, "tests/Proxy.Tests/Conformance", lockFolder), "conformance");
        return Path.Combine(install, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
    }

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
    /// <c>npm ci</c> once per lock file into the state folder (never into the repository). Test assemblies run side by side
    /// in separate processes and share the folder, so the install holds a lock file for its whole length.
    /// </summary>
    public static async Task<string> NpmCiAsync(string sourceDir, string name)
    {
        var lockFile = Path.Combine(sourceDir, "package-lock.json");
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(lockFile)))[..16];
        var dir = Path.Combine(StateDir, name + "-" + hash);
        Directory.CreateDirectory(StateDir);
        using (await LockFileAsync(dir + ".lock"))
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
    }

    /// <summary>Holds <paramref name="path"/> open with no sharing (an exclusive flock on Linux), waiting up to 10 min for another process's hold to end.</summary>
    private static async Task<FileStream> LockFileAsync(string path)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromMinutes(10)), $"{path} stayed locked by another test process for 10 min; end that process.");
                await Task.Delay(250);
            }
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
