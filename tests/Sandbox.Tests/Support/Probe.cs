using System.Text.Json.Nodes;

namespace Smcp.Sandbox.Tests.Support;

/// <summary>Runs the probe image's subcommands in a sandbox and reads the JSON line each prints.</summary>
internal static class Probe
{
    public static SandboxSpec Spec(params string[] args) => TestDocker.Spec(TestDocker.Probe, args);

    /// <summary>Starts the probe, returns its first JSON line (or null when it printed none) and how it exited.</summary>
    public static async Task<(JsonObject? Result, SandboxExit Exit, string Stderr)> RunAsync(ISandboxEngine engine, SandboxSpec spec, TimeSpan? timeout = null)
    {
        await using var sandbox = await engine.StartAsync(spec, CancellationToken.None);
        JsonObject? result = null;
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        await foreach (var line in sandbox.Messages.ReadAllAsync(deadline.Token))
        {
            result ??= JsonNode.Parse(line.Span)!.AsObject();
        }

        var exit = await sandbox.Exited.WaitAsync(deadline.Token);
        return (result, exit, sandbox.StderrTail());
    }

    public static async Task<JsonObject> ResultAsync(ISandboxEngine engine, params string[] args)
    {
        var (result, exit, stderr) = await RunAsync(engine, Spec(args));
        Assert.That(result, Is.Not.Null, $"probe {string.Join(' ', args)} printed no result; exit {exit}; stderr: {stderr}");
        return result!;
    }
}
