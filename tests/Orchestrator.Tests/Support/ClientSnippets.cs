using System.Diagnostics;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>
/// The client snippets of <c>examples/clients.sh</c> (what <c>scripts/run.sh</c> prints and README shows), and running
/// one as a user pastes it into bash: no terminal, stdin at its end.
/// </summary>
internal static class ClientSnippets
{
    public const string Inspector = "inspector";
    public const string TypeScript = "typescript";
    public const string CSharp = "csharp";
    public const string Ide = "ide";

    /// <summary>What <c>bash examples/clients.sh URL KEY [name]</c> prints (every snippet with its heading when no name).</summary>
    public static async Task<string> TextAsync(string url, string key, string? name = null)
    {
        string[] arguments = name is null ? ["examples/clients.sh", url, key] : ["examples/clients.sh", url, key, name];
        var result = await RunAsync("bash", arguments, NodeTools.RepoRoot, TimeSpan.FromSeconds(30));
        Assert.That(result.ExitCode, Is.Zero, $"bash examples/clients.sh failed: {result.Stderr}");
        return result.Stdout;
    }

    /// <summary>Runs <paramref name="snippet"/> with <c>bash -c</c> in <paramref name="directory"/>; past <paramref name="timeout"/> it is killed and the test fails.</summary>
    /// <param name="environment">Variables set (or replaced) for this run only.</param>
    public static Task<ProcessResult> RunSnippetAsync(string snippet, string directory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync("bash", ["-c", snippet], directory, timeout, environment);

    public static async Task<ProcessResult> RunAsync(string program, string[] arguments, string directory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
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
            Assert.Fail($"`{string.Join(' ', arguments)}` did not finish within {timeout}: it hangs. Output so far:\n{await stdout}\n{await stderr}");
        }

        var result = new ProcessResult(process.ExitCode, await stdout, await stderr);
        TestContext.Out.WriteLine($"$ {string.Join(' ', arguments)}\n(exit {result.ExitCode})\n{result.Stdout}\n{result.Stderr}");
        return result;
    }
}

/// <summary>How a program ended and what it wrote to each stream.</summary>
internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);
