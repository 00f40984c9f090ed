using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>The built <c>smcp</c> executable run as a child process (<c>smcp serve --config</c>), as an installation runs it, so a test can SIGKILL it.</summary>
internal sealed partial class SmcpProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SmcpProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public Uri BaseAddress => _listening.Task.Result;

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A smcp.yaml for <paramref name="database"/> in a new folder (runc, no warm pool), for a host in this process or a child one.</summary>
    public static string WriteConfig(PostgresFixture database, string instanceId, string tenantsYaml, string extraYaml = "")
    {
        var directory = Directory.CreateTempSubdirectory("smcp-host-").FullName;
        var path = Path.Combine(directory, "smcp.yaml");
        File.WriteAllText(path, $"""
            listen: [ "http://127.0.0.1:0" ]
            instanceId: {instanceId}
            postgres:
              connectionString: "{database.AppConnectionString}"
              ownerConnectionString: "{database.OwnerConnectionString}"
            defaults:
              runtime: runc
              warmPoolSize: 0
            {extraYaml}
            {tenantsYaml}
            """);
        return path;
    }

    public static string NewMasterKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Starts <c>smcp serve</c> and returns once it listens.</summary>
    /// <param name="settings">Host settings as command-line arguments (<c>--Section:Key=value</c>).</param>
    public static Task<SmcpProcess> StartAsync(string configPath, string masterKey, params string[] settings) =>
        StartAsync(configPath, masterKey, new Dictionary<string, string>(), settings);

    /// <summary>Starts <c>smcp serve</c> with more environment variables and returns once it listens.</summary>
    public static async Task<SmcpProcess> StartAsync(string configPath, string masterKey, IReadOnlyDictionary<string, string> environment, params string[] settings)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(configPath)!,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "smcp.dll"), "serve", "--config", configPath }.Concat(settings))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["SMCP_MASTER_KEY"] = masterKey;
        info.Environment["SMCP_ADMIN_KEY"] = SmcpServerFixture.AdminKey;
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var smcp = new SmcpProcess(Process.Start(info)!);
        smcp._process.OutputDataReceived += (_, e) => smcp.OnLine(e.Data);
        smcp._process.ErrorDataReceived += (_, e) => smcp.OnLine(e.Data);
        smcp._process.BeginOutputReadLine();
        smcp._process.BeginErrorReadLine();
        var exited = smcp._process.WaitForExitAsync();
        var first = await Task.WhenAny(smcp._listening.Task, exited, Task.Delay(StartTimeout));
        if (first != smcp._listening.Task)
        {
            await smcp.DisposeAsync();
            Assert.Fail($"smcp did not start listening within {StartTimeout.TotalSeconds} s:\n{smcp.Output}");
        }

        return smcp;
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>SIGKILL, as the OOM killer or a crash would end it: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Whether <see cref="DisposeAsync"/>'s SIGTERM ended the process with exit code 0 before the SIGKILL.</summary>
    public bool ExitedCleanly { get; private set; }

    /// <summary>Stops it as a service manager does (SIGTERM, then SIGKILL after 20 s).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await SmcpServerFixture.RunAsync("kill", $"-TERM {_process.Id}");
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
                ExitedCleanly = _process.ExitCode == 0;
            }
            catch (TimeoutException)
            {
                await KillAsync();
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (Listening().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
