return await Smcp.Orchestrator.Cli.CliApp.RunAsync(args);
