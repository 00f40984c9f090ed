using System.Text;
using System.Text.Json;
using Smcp.Proxy.Guard.Pinning;
using Smcp.Proxy.Json;
using Smcp.Proxy.Ports;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Tests.Guard.Pinning;

/// <summary>One session's pinning: first use, change and rename detection, warn against block, refusals, and hostile listings.</summary>
public sealed class SessionPinsTests
{
    private const string Echo = """{"name":"echo","description":"Echoes the message back.","inputSchema":{"type":"object"}}""";
    private const string Hang = """{"name":"hang","description":"Never answers.","inputSchema":{"type":"object"}}""";

    private static McpServerTarget Target(ToolPinningPolicy policy, ToolPinSet? pins = null) =>
        new(new SandboxSpec { Image = "i", Tenant = "acme", Server = "notes" }, new PoolPolicy(0, 1), TimeSpan.FromMinutes(1), 0)
        {
            ToolPinning = policy,
            Version = "sha256:v1",
            Pins = pins,
        };

    private static byte[] Line(params string[] tools) => Encoding.UTF8.GetBytes($$$"""{"jsonrpc":"2.0","id":1,"result":{"tools":[{{{string.Join(',', tools)}}}]}}""");

    private static RequestId Id => RequestId.From(JsonDocument.Parse("1").RootElement)!.Value;

    private static JsonRpcMessage Call(string name)
    {
        var bytes = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":""" + JsonSerializer.Serialize(name) + "}}");
        return JsonRpcMessage.From(JsonDocument.Parse(bytes).RootElement, bytes)!;
    }

    private static PinnedAnswer Inspect(SessionPins pins, byte[] line) => pins.Inspect(line, line, Id);

    private static string[] Names(PinnedAnswer answer)
    {
        using var document = JsonDocument.Parse(answer.Line);
        return document.RootElement.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
    }

    private static ToolPinSet PinsOf(params string[] tools)
    {
        var listing = ObservedListing.Read(Line(tools));
        return new ToolPinSet("sha256:v0", listing.Tools.Select(t => t.Pin).ToList());
    }

    [Test]
    public void The_first_listing_of_a_server_without_pins_is_recorded_and_passes()
    {
        var pins = new SessionPins("acme", "notes", Target(ToolPinningPolicy.Block));

        var answer = Inspect(pins, Line(Echo, Hang));

        Assert.That(answer.Observation?.Kind, Is.EqualTo(PinObservationKind.FirstUse));
        Assert.That(answer.Observation!.Tools.Select(t => t.Pin.Name), Is.EqualTo(new[] { "echo", "hang" }));
        Assert.That(answer.Event?.Action, Is.EqualTo(PinAudit.Recorded));
        Assert.That(Names(answer), Is.EqualTo(new[] { "echo", "hang" }));
    }

    [Test]
    public void An_unchanged_listing_costs_no_audit_and_no_write()
    {
        var pins = new SessionPins("acme", "notes", Target(ToolPinningPolicy.Block, PinsOf(Echo, Hang)));

        var answer = Inspect(pins, Line(Hang, Echo));

        Assert.That((answer.Event, answer.Observation), Is.EqualTo(((PinEvent?)null, (ToolPinObservation?)null)));
    }

    [Test]
    public void A_changed_description_under_warn_passes_and_is_audited_once_per_listing()
    {
        var pins = new SessionPins("acme", "notes", Target(ToolPinningPolicy.Warn, PinsOf(Echo, Hang)));
        var changed = Line(Echo.Replace("back.", "back, and keeps a copy.", StringComparison.Ordinal), Hang);

        var first = Inspect(pins, changed);
        var again = Inspect(pins, changed);

        Assert.That(Names(first), Is.EqualTo(new[] { "echo", "hang" }));
        Assert.That(first.Event?.Outcome, Is.EqualTo("warned"));
        Assert.That(first.Event!.Detail.GetProperty("changed")[0].GetString(), Is.EqualTo("echo"));
        Assert.That(first.Observation?.Changes.Changed, Is.EqualTo(new[] { "echo" }));
        Assert.That((again.Event, again.Observation), Is.EqualTo(((PinEvent?)null, (ToolPinObservation?)null)));
        Assert.That(pins.RefusalFor(Call("echo")), Is.Null);
    }

    [Test]
    public void A_changed_tool_under_block_is_hidden_and_its_calls_refused()
    {
        var pins = new SessionPins("acme", "notes", Target(ToolPinningPolicy.Block, PinsOf(Echo, Hang)));

        var answer = Inspect(pins, Line(Echo.Replace("back.", "back!", StringComparison.Ordinal), Hang));
        var refusal = pins.RefusalFor(Call("echo"));

        Assert.That(Names(answer), Is.EqualTo(new[] { "hang" }));
        Assert.That(answer.Event?.Outcome, Is.EqualTo("blocked"));
        Assert.That(JsonDocument.Parse(refusal!).RootElement.GetProperty("error").GetProperty("message").GetString(),
            Does.Contain("changed since it was pinned").And.Contain("/v1/tenants/acme/servers/notes/pins/approve"));
        Assert.That(pins.RefusalFor(Call("hang")), Is.Null);
    }

    [Test]
    public void A_rename_is_reported_as_a_rename_and_cannot_slip_past_block()
    {
        var pins = new SessionPins("acme", "notes", Target(ToolPinningPolicy.Block, PinsOf(Echo, Hang)));

        var answer = Inspect(pins, Line(Echo.Replace("\"echo\"", "\"echo_v2\"", StringComparison.Ordinal), Hang));

        Assert.That(answer.Observation!.Changes.Renamed, Is.EqualTo(new[] { new ToolRename("echo", "echo_v2") }));
        Assert.That(answer.Observation.Changes.Added, Is.Empty);
        Assert.That(answer.Observation.Changes.Removed, Is.Empty);
        Assert.That(Names(answer), Is.EqualTo(new[] { "hang" }));
        Assert.That(JsonDocument.Parse(pins.RefusalFor(Call("echo_v2"))!).RootElement.GetProperty("error").GetProperty("message").GetString(),
            Does.Contain("'echo' under a new name"));
    }

    [Test]
    public void Added_and_removed_tools_are_told_apart()
    {
        const string Extra = """{"name":"extra","description":"Extra.","inputSchema":{"type":"object"}}""";
        var pins = new SessionPins("acme", "notes", Target(ToolPinningPolicy.Block, PinsOf(Echo, Hang)));

        var answer = Inspect(pins, Line(Echo, Extra));

        Assert.That(answer.Observation!.Changes.Added, Is.EqualTo(new[] { "extra" }));
        Assert.That(answer.Observation.Changes.Removed, Is.EqualTo(new[] { "hang" }));
        Assert.That(Names(answer), Is.EqualTo(new[] { "echo" }));
    }

    [Test]
    public void After_list_changed_a_call_under_block_waits_for_the_next_listing()
    {
        var pins = new SessionPins("acme", "notes", Target(ToolPinningPolicy.Block, PinsOf(Echo, Hang)));

        pins.ListChanged();
        var waiting = pins.RefusalFor(Call("hang"));
        Inspect(pins, Line(Echo, Hang));

        Assert.That(JsonDocument.Parse(waiting!).RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("list the tools again"));
        Assert.That(pins.RefusalFor(Call("hang")), Is.Null);
    }

    [TestCase("""{"tools":[42]}""", "tool 0 is not an object")]
    [TestCase("""{"tools":{"name":"echo"}}""", "not an object with a tools array")]
    [TestCase("""[]""", "not an object with a tools array")]
    [TestCase("""{"tools":[{"name":"a"},{"name":"a"}]}""", "two tools are named 'a'")]
    [TestCase("""{"tools":[{"name":7}]}""", "tool 0 is not an object with a string name")]
    [TestCase("""{"tools":[{"name":"\ud800"}]}""", "not valid UTF-16")]
    public void A_listing_that_cannot_be_pinned_is_withheld_under_block_and_passes_audited_under_warn(string result, string problem)
    {
        var line = Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":1,"result":{{result}}}""");

        var blocked = new SessionPins("acme", "notes", Target(ToolPinningPolicy.Block, PinsOf(Echo))).Inspect(line, line, Id);
        var warned = new SessionPins("acme", "notes", Target(ToolPinningPolicy.Warn, PinsOf(Echo))).Inspect(line, line, Id);

        Assert.That(JsonDocument.Parse(blocked.Line).RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain(problem));
        Assert.That(blocked.Event?.Action, Is.EqualTo(PinAudit.Unreadable));
        Assert.That(blocked.Observation, Is.Null);
        Assert.That(warned.Line.ToArray(), Is.EqualTo(line));
        Assert.That(warned.Event?.Outcome, Is.EqualTo("warned"));
    }

    [Test]
    public void A_listing_of_more_tools_than_are_pinned_is_refused_as_a_whole_without_being_kept()
    {
        var tools = Enumerable.Range(0, ObservedListing.MaxTools + 1).Select(i => $$"""{"name":"t{{i}}"}""").ToArray();

        var answer = Inspect(new SessionPins("acme", "notes", Target(ToolPinningPolicy.Block)), Line(tools));

        Assert.That(JsonDocument.Parse(answer.Line).RootElement.GetProperty("error").GetProperty("message").GetString(),
            Does.Contain($"more than the {ObservedListing.MaxTools} that are pinned"));
        Assert.That(answer.Observation, Is.Null);
    }

    [Test]
    public void The_audit_detail_of_thousands_of_changes_names_ten_and_counts_all()
    {
        var tools = Enumerable.Range(0, ObservedListing.MaxTools).Select(i => $$"""{"name":"{{new string('n', 5000)}}{{i}}"}""").ToArray();
        var answer = Inspect(new SessionPins("acme", "notes", Target(ToolPinningPolicy.Warn, PinsOf(Echo))), Line(tools));

        var detail = answer.Event!.Detail;

        Assert.That(detail.GetProperty("addedCount").GetInt32(), Is.EqualTo(ObservedListing.MaxTools));
        Assert.That(detail.GetProperty("added").GetArrayLength(), Is.EqualTo(10));
        Assert.That(detail.GetRawText().Length, Is.LessThan(16 * 1024));
    }
}
