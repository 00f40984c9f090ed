using Npgsql;
using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Cli;

/// <summary>smcp.yaml for the commands that run on the host against the database; every error in it, then exit 1.</summary>
internal static class HostConfig
{
    public static ConfigResult Load(string path)
    {
        var loaded = ConfigLoader.Load(path);
        if (loaded.IsValid)
        {
            return loaded;
        }

        foreach (var error in loaded.Errors)
        {
            Console.Error.WriteLine(error);
        }

        throw new CliException(ExitCodes.Usage, $"{path} has {loaded.Errors.Count} error(s); fix them (smcp config check {path}).");
    }

    public static NpgsqlDataSource DataSource(SmcpConfig config) =>
        NpgsqlDataSource.Create(config.Postgres.ConnectionString
                                ?? throw new CliException(ExitCodes.Usage, $"postgres.connectionString is not set (or {PostgresConfig.AppVariable})."));
}
