using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Servers;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Tests.Servers;

/// <summary><c>smcp pins list|approve</c>, run in-process against a real database with a pending change.</summary>
public sealed class PinsCommandTests
{
    private static readonly ObservedTool Old = new(new ToolPin("echo", new string('a', 64), new string('b', 64)), """{"description":"Echoes.","name":"echo"}""");
    private static readonly ObservedTool New = new(new ToolPin("echo", new string('c', 64), new string('d', 64)), """{"description":"Echoes, and keeps a copy.","name":"echo"}""");

    private PostgresFixture _pg = null!;
    private SmcpConfig _config = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _pg = await PostgresFixture.CreateAsync("pinscli");
        await _pg.AddTenantsAsync("acme", "globex");
        _config = ConfigLoader.Parse($"""
            postgres: {"{"} connectionString: "{_pg.AppConnectionString}" {"}"}
            tenants: [ {"{"} id: acme {"}"}, {"{"} id: globex {"}"} ]
            """, "smcp.yaml", _ => null).Config!;
        var store = new ToolPinStore(_pg.Db);
        await store.RecordAsync(new ToolPinObservation("acme", "notes", "sha256:v1", PinObservationKind.FirstUse, new string('1', 64), [Old], ToolPinChanges.None), CancellationToken.None);
        await store.RecordAsync(new ToolPinObservation("acme", "notes", "sha256:v2", PinObservationKind.Changed, new string('2', 64), [New],
            new ToolPinChanges([], [], [], ["echo"])), CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task DropDatabase() => await _pg.DisposeAsync();

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string verb, string tenant, string? listingHash = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PinsCommand.RunAsync(_config, verb, tenant, "notes", listingHash, output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString().Trim());
    }

    [Test]
    public async Task List_shows_the_pins_and_the_diff_then_approve_makes_the_pending_listing_the_pins_and_audits_it()
    {
        var listed = await RunAsync("list", "acme");
        Assert.That(listed.ExitCode, Is.Zero, listed.Error);
        Assert.That(listed.Output, Does.Contain("changed echo").And.Contain("- " + Old.Canonical).And.Contain("+ " + New.Canonical));

        Assert.That((await RunAsync("list", "globex")).ExitCode, Is.EqualTo(PinsCommand.NothingPending), "tenant B sees none of tenant A's pins");
        Assert.That((await RunAsync("approve", "globex")).ExitCode, Is.EqualTo(PinsCommand.NothingPending));
        Assert.That((await RunAsync("approve", "acme", new string('9', 64))).ExitCode, Is.EqualTo(PinsCommand.StaleListing));
        Assert.That((await RunAsync("list", "nobody")).ExitCode, Is.EqualTo(PinsCommand.UnknownTenant));

        var approved = await RunAsync("approve", "acme", new string('2', 64));
        Assert.That((approved.ExitCode, approved.Output.Trim()), Is.EqualTo((0, new string('2', 64))), approved.Error);
        var (now, pending) = await new ToolPinStore(_pg.Db).GetAsync("acme", "notes", CancellationToken.None);
        Assert.That((now!.Version, now.ApprovedBy, pending), Is.EqualTo(("sha256:v2", PinsCommand.CliPrincipal, (PinSetRow?)null)));
        Assert.That(await _pg.SuperuserScalarAsync<string>("SELECT string_agg(outcome, ',' ORDER BY seq) FROM audit_log WHERE tenant_id = 'acme' AND action = 'tool.pin.approve'"),
            Is.EqualTo("conflict,ok"));
        Assert.That((await RunAsync("approve", "acme")).ExitCode, Is.EqualTo(PinsCommand.NothingPending));
    }
}
