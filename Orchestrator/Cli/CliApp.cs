using System.CommandLine;

namespace Smcp.Orchestrator.Cli;

/// <summary>The <c>smcp</c> command line: every command group, one-line errors, the documented exit codes (README: Command line).</summary>
internal static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("smcp: host MCP servers for many tenants. Without a command: serve.")
        {
            CliOptions.Output,
            HostCommands.Serve(),
            HostCommands.Config(),
            LoginCommand.Create(),
            ImageCommands.Create(),
            ServerCommands.Create(),
            KeyCommands.Create(),
            SecretCommands.Create(),
            SessionCommands.Create(),
            AuditCommands.Create(),
            AdminCommands.Create(),
            HostCommands.User(),
            HostCommands.Pins(),
        };
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var parse = Build().Parse(args.Length == 0 ? ["serve"] : args);
        if (parse.Errors.Count > 0)
        {
            var names = new List<string>();
            for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            {
                names.Insert(0, result.Command.Name);
            }

            await Console.Error.WriteLineAsync($"smcp: {string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')))} (see `{string.Join(' ', names)} --help`).");
            return ExitCodes.Usage;
        }

        try
        {
            // ProcessTerminationTimeout null: System.CommandLine's own SIGTERM handling ends the process 2 s after the signal, which cut
            // `smcp serve`'s shutdown short and left its sandboxes running. The host's console lifetime handles SIGTERM instead, and
            // Ctrl+C cancels through CancelKeyPress above.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancel.Token);
        }
        catch (CliException refused)
        {
            await Console.Error.WriteLineAsync($"smcp: {refused.Message}");
            return refused.ExitCode;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }
}
