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

    /// <summary>Runs <paramref name="program"/> with stdin at its end and logs what it wrote (see <see cref="NodeTools.RunProcessAsync"/>).</summary>
    public static async Task<ProcessResult> RunAsync(string program, string[] arguments, string directory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = await NodeTools.RunProcessAsync(program, arguments, directory, timeout, environment);
        TestContext.Out.WriteLine($"$ {string.Join(' ', arguments)}\n(exit {result.ExitCode})\n{result.Stdout}\n{result.Stderr}");
        return result;
    }
}
