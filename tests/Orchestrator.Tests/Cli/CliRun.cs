using System.Diagnostics;

namespace Smcp.Orchestrator.Tests.Cli;

/// <summary>The built <c>smcp</c> run as a process, with its own config home (the login file) and the environment the test gives it.</summary>
internal sealed class CliRun : IDisposable
{
    public CliRun()
    {
        ConfigHome = Directory.CreateTempSubdirectory("smcp-cli-").FullName;
    }

    public string ConfigHome { get; }

    public string LoginFile => Path.Combine(ConfigHome, "smcp", "login.json");

    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string? stdin, Dictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smcp.dll"));
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["XDG_CONFIG_HOME"] = ConfigHome;
        info.Environment.Remove("SMCP_URL");
        info.Environment.Remove("SMCP_KEY");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => Directory.Delete(ConfigHome, recursive: true);
}
