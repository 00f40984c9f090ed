using System.Security.Cryptography;
using System.Text.Json;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.TypeScript;

/// <summary>One check the TypeScript client script reported.</summary>
internal sealed record ScriptCheck(string Check, bool Ok, string Detail);

/// <summary>
/// Runs <c>client.mjs</c> (the official TypeScript SDK client) under Node 22 against an MCP URL of the test host.
/// The SDK is installed with <c>npm ci</c> from this folder's lock file into a cache folder keyed by the lock file's hash.
/// </summary>
internal static class TypeScriptSdk
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private static string SourceDir => Path.Combine(NodeTools.RepoRoot, "tests/Proxy.Tests/TypeScript");

    /// <summary>Runs one case of the script and asserts every expected check ran and passed, each with its own message.</summary>
    public static async Task AssertCaseAsync(string url, string caseName, params string[] expectedChecks)
    {
        var node = await NodeTools.Node22Async();
        var sdk = await InstallAsync();
        var script = Path.Combine(SourceDir, "client.mjs");
        var (code, output) = await NodeTools.RunAsync(node, [script, sdk, url, TestCredentials.AcmeUser, caseName], SourceDir, TimeSpan.FromMinutes(4));
        TestContext.Out.WriteLine(output);
        var checks = Parse(output);

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

            Assert.That(code, Is.EqualTo(0), output);
        });
    }

    private static List<ScriptCheck> Parse(string output)
    {
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return output.Split('\n')
            .Where(line => line.StartsWith("{\"check\":", StringComparison.Ordinal))
            .Select(line => JsonSerializer.Deserialize<ScriptCheck>(line, options)!)
            .ToList();
    }

    /// <summary>The folder that holds node_modules with the pinned SDK; installed once per lock file.</summary>
    internal static async Task<string> InstallAsync()
    {
        var lockFile = Path.Combine(SourceDir, "package-lock.json");
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(lockFile)))[..16];
        var dir = Path.Combine(NodeTools.StateDir, "ts-sdk-" + hash);
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(dir, "node_modules/@modelcontextprotocol/sdk/package.json")))
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
            File.Copy(Path.Combine(SourceDir, "package.json"), Path.Combine(staging, "package.json"));
            File.Copy(lockFile, Path.Combine(staging, "package-lock.json"));
            var (code, output) = await NodeTools.RunAsync("npm", ["ci", "--silent", "--no-audit", "--no-fund"], staging, TimeSpan.FromMinutes(5));
            Assert.That(code, Is.EqualTo(0),
                $"`npm ci` of tests/Proxy.Tests/TypeScript/package-lock.json into {staging} failed; the npm registry must be reachable " +
                "(or put a finished install into " + dir + "): " + output);
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
}
