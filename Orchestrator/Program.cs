using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Hosting;
using Smcp.Orchestrator.OAuth.Keys;
using Smcp.Orchestrator.OAuth.Users;
using Smcp.Orchestrator.Secrets;
using Smcp.Orchestrator.Servers;
using Smcp.Sandbox;

// smcp serve [--config FILE] | smcp config check FILE | smcp audit verify --tenant T [--config FILE] | smcp user add --tenant T --email E [--no-password] [--config FILE]
// | smcp keys rotate-signing [--config FILE] | smcp pins list|approve --tenant T --server S [--listing-hash H] [--config FILE]
var command = args.Length == 0 ? "serve" : args[0];
var configPath = Option("--config") ?? Environment.GetEnvironmentVariable("SMCP_CONFIG") ?? "smcp.yaml";
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

switch (command)
{
    case "config" when args.Length == 3 && args[1] == "check":
        return ConfigCheckCommand.Run(args[2], Console.Out, Console.Error);

    case "audit" when args.Length >= 2 && args[1] == "verify" && Option("--tenant") is { } tenant:
    {
        if (Load() is not { } loaded)
        {
            return 1;
        }

        await using var source = Npgsql.NpgsqlDataSource.Create(loaded.Config!.Postgres.ConnectionString
            ?? throw new InvalidOperationException("postgres.connectionString is not set."));
        var result = await new AuditVerifier(new TenantDb(source)).VerifyAsync(tenant, cancel.Token);
        Console.WriteLine(result.IsIntact
            ? $"{tenant}: intact ({result.RowsChecked} rows)"
            : $"{tenant}: broken at seq {result.FirstBreak!.Seq}: {result.FirstBreak.Reason}");
        return result.IsIntact ? 0 : 3;
    }

    case "user" when args.Length >= 2 && args[1] == "add" && Option("--tenant") is { } userTenant && Option("--email") is { } email:
    {
        if (Load() is not { } loaded)
        {
            return 1;
        }

        Func<string?>? readPassword = args.Contains("--no-password") ? null
            : Console.IsInputRedirected ? Console.In.ReadLine : () => UserAddCommand.PromptWithoutEcho(Console.Error);
        return await UserAddCommand.RunAsync(loaded.Config!, userTenant, email, readPassword, Console.Out, Console.Error, cancel.Token);
    }

    case "keys" when args.Length >= 2 && args[1] == "rotate-signing":
    {
        if (Load() is not { } loaded)
        {
            return 1;
        }

        try
        {
            using var masterKey = MasterKey.FromEnvironment();
            await using var source = Npgsql.NpgsqlDataSource.Create(loaded.Config!.Postgres.ConnectionString
                ?? throw new InvalidOperationException("postgres.connectionString is not set."));
            var kid = await new SigningKeyStore(new TenantDb(source), new SigningKeySeal(masterKey), TimeProvider.System).RotateAsync(cancel.Token);
            Console.WriteLine(kid);
            Console.Error.WriteLine($"New token-signing key {kid}. Running servers sign with it within a minute; the old key stays published "
                                    + "for oauth.accessTokenLifetime + 5 min, so tokens it signed stay valid until they expire.");
            return 0;
        }
        catch (Exception ex) when (ex is MasterKeyException or InvalidOperationException or Npgsql.NpgsqlException)
        {
            Console.Error.WriteLine($"smcp: {ex.Message}");
            return 1;
        }
    }

    case "pins" when args.Length >= 2 && args[1] is "list" or "approve" && Option("--tenant") is { } pinTenant && Option("--server") is { } pinServer:
    {
        if (Load() is not { } loaded)
        {
            return 1;
        }

        return await PinsCommand.RunAsync(loaded.Config!, args[1], pinTenant, pinServer, Option("--listing-hash"), Console.Out, Console.Error, cancel.Token);
    }

    case "serve":
    {
        if (Load() is not { } loaded)
        {
            return 1;
        }

        try
        {
            await using var app = await SmcpApp.BuildAsync(configPath, loaded, args.Skip(1).ToArray(), cancel.Token);
            await app.RunAsync(cancel.Token);
            return 0;
        }
        catch (Exception ex) when (ex is MasterKeyException or SandboxException or InvalidOperationException or Npgsql.NpgsqlException
                                       or Microsoft.Extensions.Options.OptionsValidationException)
        {
            Console.Error.WriteLine($"smcp: {ex.Message}");
            return 1;
        }
    }

    default:
        Console.Error.WriteLine("usage: smcp serve [--config FILE] | smcp config check FILE | smcp audit verify --tenant T [--config FILE] | smcp user add --tenant T --email E [--no-password] [--config FILE] | smcp keys rotate-signing [--config FILE] | smcp pins list|approve --tenant T --server S [--listing-hash H] [--config FILE]");
        return 2;
}

ConfigResult? Load()
{
    var loaded = ConfigLoader.Load(configPath);
    if (loaded.IsValid)
    {
        return loaded;
    }

    foreach (var error in loaded.Errors)
    {
        Console.Error.WriteLine(error);
    }

    return null;
}

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
