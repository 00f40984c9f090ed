using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Smcp.Tests.Servers.Conformance.Prompts;
using Smcp.Tests.Servers.Conformance.Resources;
using Smcp.Tests.Servers.Conformance.Tools;

namespace Smcp.Tests.Servers.Conformance;

/// <summary>
/// A stdio MCP server that implements every tool, resource, resource template and prompt that the
/// server scenarios of @modelcontextprotocol/conformance call, plus a few tools SMCP's own tests
/// use (echo, sleep, crash). stdout is the JSON-RPC channel: all logging goes to stderr, Warning+.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        var json = ConformanceJson.Options;
        builder.Services.AddSingleton<SubscriptionRegistry>();
        builder.Services
            .AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "smcp-conformance-server", Version = "1.0.0" };
                o.Capabilities = new ServerCapabilities
                {
                    Logging = new LoggingCapability(),
                    Completions = new CompletionsCapability(),
                };
            })
            .WithStdioServerTransport()
            .WithTools<ContentTools>(json)
            .WithTools<InteractionTools>(json)
            .WithTools<ElicitationTools>(json)
            .WithTools<ControlTools>(json)
            .WithTools([new JsonSchemaTool()])
            .WithResources<ConformanceResources>()
            .WithPrompts<ConformancePrompts>(json)
            .WithSubscribeToResourcesHandler(SubscriptionRegistry.SubscribeAsync)
            .WithUnsubscribeFromResourcesHandler(SubscriptionRegistry.UnsubscribeAsync)
            .WithCompleteHandler(Completions.CompleteAsync)
            .WithSetLoggingLevelHandler(static (_, _) => ValueTask.FromResult(new EmptyResult()));

        await builder.Build().RunAsync().ConfigureAwait(false);
        return 0;
    }
}
