using System.Text;
using System.Text.Json;
using Smcp.Proxy.Json;
using Smcp.Proxy.Policy;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Tests.Guard;

/// <summary>The per-session tool policy as pure logic: what it refuses, how it filters a listing, and hostile listings.</summary>
public sealed class SessionToolPolicyTests
{
    private static readonly RequestId Id = new("n:1", "1");

    private static readonly ToolPolicy ReaderPolicy = new()
    {
        Allow = new Dictionary<SmcpRole, IReadOnlySet<string>> { [SmcpRole.ReadOnly] = new HashSet<string> { ToolPolicy.AnyTool } },
    };

    private static JsonRpcMessage Request(string json) => JsonRpcMessage.FromServerLine(Encoding.UTF8.GetBytes(json))!;

    private static ReadOnlyMemory<byte> Listing(string tools) => Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"result":{"tools":""" + tools + "}}");

    [Test]
    public void A_role_without_rules_pays_nothing_and_gets_the_listing_byte_for_byte()
    {
        var policy = new SessionToolPolicy(ToolPolicy.None, SmcpRole.TenantUser);
        var line = Listing("""[{"name":"a"}]""");

        Assert.That(policy.Listed(line, Id).ToArray(), Is.EqualTo(line.ToArray()));
        Assert.That(policy.RefusalFor(Request("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"anything"}}""")), Is.Null);
    }

    [Test]
    public void Deny_wins_over_a_wildcard_allow()
    {
        var policy = new SessionToolPolicy(new ToolPolicy
        {
            Allow = new Dictionary<SmcpRole, IReadOnlySet<string>> { [SmcpRole.TenantUser] = new HashSet<string> { ToolPolicy.AnyTool } },
            Deny = new Dictionary<SmcpRole, IReadOnlySet<string>> { [SmcpRole.TenantUser] = new HashSet<string> { "drop" } },
        }, SmcpRole.TenantUser);

        var refused = policy.RefusalFor(Request("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"drop"}}"""));

        Assert.That(refused!.Detail!.Value.GetProperty("toolPolicy").GetString(), Is.EqualTo("tools.deny"));
        Assert.That(policy.RefusalFor(Request("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"keep"}}""")), Is.Null);
    }

    [Test]
    public void A_read_only_role_keeps_only_tools_listed_with_a_true_read_only_hint()
    {
        var policy = new SessionToolPolicy(ReaderPolicy, SmcpRole.ReadOnly);

        var listed = policy.Listed(Listing("""
            [{"name":"r","annotations":{"readOnlyHint":true}},{"name":"w","annotations":{"readOnlyHint":false}},
             {"name":"s","annotations":{"readOnlyHint":"true"}},{"name":"n"},{"annotations":{"readOnlyHint":true}}]
            """), Id);

        using var document = JsonDocument.Parse(listed);
        Assert.That(document.RootElement.GetProperty("id").GetInt32(), Is.EqualTo(1));
        Assert.That(document.RootElement.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()), Is.EqualTo(new[] { "r" }));
        Assert.That(policy.RefusalFor(Request("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"r"}}""")), Is.Null);
        Assert.That(policy.RefusalFor(Request("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"s"}}"""))!.Detail!.Value.GetProperty("toolPolicy").GetString(), Is.EqualTo("read-only-hint"));
        Assert.That(policy.RefusalFor(Request("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"never-listed"}}"""))!.Detail!.Value.GetProperty("toolPolicy").GetString(), Is.EqualTo("not-listed"));
        Assert.That(policy.RefusalFor(Request("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}"""))!.Detail!.Value.GetProperty("toolPolicy").GetString(), Is.EqualTo("no-tool-name"));
    }

    [Test]
    public void A_later_listing_that_drops_the_hint_takes_the_call_away()
    {
        var policy = new SessionToolPolicy(ReaderPolicy, SmcpRole.ReadOnly);
        var call = Request("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"r"}}""");

        policy.Listed(Listing("""[{"name":"r","annotations":{"readOnlyHint":true}}]"""), Id);
        var before = policy.RefusalFor(call);
        policy.Listed(Listing("""[{"name":"r","annotations":{"readOnlyHint":false}}]"""), Id);

        Assert.That((before is null, policy.RefusalFor(call) is null), Is.EqualTo((true, false)));
    }

    [Test]
    public void A_listing_with_duplicate_keys_is_withheld_not_passed_unfiltered()
    {
        var policy = new SessionToolPolicy(ReaderPolicy, SmcpRole.ReadOnly);

        var listed = policy.Listed(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"result":{"tools":[],"tools":[{"name":"w"}]}}"""), Id);

        using var document = JsonDocument.Parse(listed);
        Assert.That(document.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("tool policy could not read it"));
    }
}
