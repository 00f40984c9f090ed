using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Smcp.Orchestrator.Tests.Cli;

/// <summary>
/// <c>smcp server logs</c> against a stub of the logs endpoint's contract
/// (<c>GET /v1/tenants/{t}/servers/{s}/logs[?session=]</c>), which is not on main yet; replace with the real host once it is.
/// </summary>
public sealed class ServerLogsContractTests
{
    private const string Answer = """
        {"server":"notes","sessions":[{"session":"s-1","startedAt":"2026-12-03T10:00:00Z","endedAt":null,"totalBytes":12,"droppedBytes":3,"text":"booting\nready\n"}]}
        """;

    [Test]
    public async Task Logs_print_each_sessions_block_and_pass_the_session_filter()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        var queries = new List<string>();
        app.MapGet("/v1/tenants/acme/servers/notes/logs", (HttpContext context) =>
        {
            queries.Add(context.Request.QueryString.Value ?? "");
            return Results.Text(Answer, "application/json");
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var cli = new CliRun();
        var login = new Dictionary<string, string> { ["SMCP_URL"] = url, ["SMCP_KEY"] = "smcp_acme_" + new string('A', 43) };

        var text = await cli.RunAsync(null, login, "server", "logs", "notes", "--session", "s-1");
        var json = await cli.RunAsync(null, login, "server", "logs", "notes", "-o", "json");

        Assert.That(text.ExitCode, Is.Zero, text.Stderr);
        Assert.That(queries, Is.EqualTo(new[] { "?session=s-1", "" }));
        Assert.That(text.Stdout, Does.Contain("== session s-1").And.Contain("3 dropped").And.Contain("booting\nready"));
        Assert.That(json.Stdout.Trim(), Is.EqualTo(Answer.Trim()));
    }
}
