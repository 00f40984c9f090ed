using System.CommandLine;

namespace Smcp.Orchestrator.Cli;

/// <summary>Options several command groups take; each command gets its own instance.</summary>
internal static class CliOptions
{
    /// <summary><c>--output table|json</c> on the root, so every listing has it.</summary>
    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "table (default) or json: the API's JSON as it came",
        DefaultValueFactory = _ => "table",
        Recursive = true,
    };

    static CliOptions() => Output.AcceptOnlyFromAmong("table", "json");

    public static Option<string> Config() => new("--config")
    {
        Description = "smcp.yaml (default: $SMCP_CONFIG, else ./smcp.yaml)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SMCP_CONFIG") ?? "smcp.yaml",
    };

    /// <summary>The tenant of a tenant command: the one the key names unless given.</summary>
    public static Option<string?> Tenant() => new("--tenant") { Description = "the tenant (default: the one the key names)" };

    public static Option<string> RequiredTenant() => new("--tenant") { Description = "the tenant", Required = true };

    public static bool Json(this ParseResult parse) => parse.GetValue(Output) == "json";
}
