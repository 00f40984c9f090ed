using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Smcp.Sandbox.Tests.Support;

/// <summary>One probe result line: the verdict and its key=value details.</summary>
internal sealed record ProbeResult(string Verdict, IReadOnlyDictionary<string, string> Details)
{
    public bool Blocked => Verdict == "blocked";

    public string this[string key] => Details.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"probe detail '{key}' missing in {this}");

    public override string ToString() => $"{Verdict}: {string.Join(' ', Details.Select(d => d.Key + "=" + d.Value))}";
}

/// <summary>Runs the probe image's subcommands in a sandbox and reads the JSON line each prints.</summary>
internal static partial class Probe
{
    public static SandboxSpec Spec(params string[] args) => TestDocker.Spec(TestDocker.Probe, args);

    /// <summary>Starts the probe, returns its result line (or null when it printed none) and how it exited.</summary>
    public static async Task<(ProbeResult? Result, SandboxExit Exit, string Stderr)> RunAsync(ISandboxEngine engine, SandboxSpec spec, TimeSpan? timeout = null)
    {
        await using var sandbox = await engine.StartAsync(spec, CancellationToken.None);
        ProbeResult? result = null;
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        await foreach (var line in sandbox.Messages.ReadAllAsync(deadline.Token))
        {
            result ??= Parse(JsonNode.Parse(line.Span)!.AsObject());
        }

        var exit = await sandbox.Exited.WaitAsync(deadline.Token);
        return (result, exit, sandbox.StderrTail());
    }

    public static async Task<ProbeResult> ResultAsync(ISandboxEngine engine, params string[] args)
    {
        var (result, exit, stderr) = await RunAsync(engine, Spec(args));
        Assert.That(result, Is.Not.Null, $"probe {string.Join(' ', args)} printed no result; {exit}; stderr: {stderr}");
        return result!;
    }

    private static ProbeResult Parse(JsonObject line)
    {
        var details = Detail().Matches(line["detail"]!.GetValue<string>())
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        return new ProbeResult(line["verdict"]!.GetValue<string>(), details);
    }

    // Values may hold spaces (uname's version), so a value runs up to the next " key=".
    [GeneratedRegex(@"([\w-]+)=(.*?)(?= [\w-]+=|$)")]
    private static partial Regex Detail();
}
