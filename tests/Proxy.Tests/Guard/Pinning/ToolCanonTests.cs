using System.Text;
using System.Text.Json;
using Smcp.Proxy.Guard.Pinning;

namespace Smcp.Proxy.Tests.Guard.Pinning;

/// <summary>The canonical JSON of a tool and its hashes: equal for equal tools however they are written, different for any change.</summary>
public sealed class ToolCanonTests
{
    private const string Tool =
        """{"name":"echo","title":"Echo","description":"Echoes.","inputSchema":{"type":"object","properties":{"message":{"type":"string"}},"required":["message"]},"annotations":{"readOnlyHint":true}}""";

    private static Smcp.Proxy.Ports.ToolPin Pin(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ToolCanon.Observe(document.RootElement, document.RootElement.GetProperty("name").GetString()!).Pin;
    }

    [Test]
    public void Key_order_and_whitespace_do_not_change_the_hash()
    {
        const string Reordered = """
            {
              "annotations": { "readOnlyHint": true },
              "inputSchema": { "required": ["message"], "properties": { "message": { "type": "string" } }, "type": "object" },
              "description": "Echoes.", "title": "Echo", "name": "echo"
            }
            """;

        Assert.That(Pin(Reordered), Is.EqualTo(Pin(Tool)));
    }

    [Test]
    public void A_string_escaped_differently_is_the_same_tool()
    {
        Assert.That(Pin(Tool.Replace("Echoes.", "\\u0045choes.", StringComparison.Ordinal)).Hash, Is.EqualTo(Pin(Tool).Hash));
    }

    [TestCase("\"Echoes.\"", "\"Echoes!\"")]
    [TestCase("\"Echo\"", "\"Echo2\"")]
    [TestCase("\"string\"", "\"number\"")]
    [TestCase("[\"message\"]", "[]")]
    [TestCase("\"readOnlyHint\":true", "\"readOnlyHint\":false")]
    [TestCase("\"type\":\"object\",", "\"type\":\"object\",\"additionalProperties\":false,")]
    public void Any_change_to_a_pinned_field_changes_both_hashes(string from, string to)
    {
        var changed = Pin(ReplaceFirst(Tool, from, to));

        Assert.That(changed.Hash, Is.Not.EqualTo(Pin(Tool).Hash));
        Assert.That(changed.ContentHash, Is.Not.EqualTo(Pin(Tool).ContentHash));
    }

    [Test]
    public void An_output_schema_added_changes_the_hash()
    {
        Assert.That(Pin(Tool.Replace("{\"name\"", "{\"outputSchema\":{\"type\":\"object\"},\"name\"", StringComparison.Ordinal)).Hash, Is.Not.EqualTo(Pin(Tool).Hash));
    }

    [Test]
    public void A_rename_changes_the_hash_and_keeps_the_content_hash()
    {
        var renamed = Pin(Tool.Replace("\"echo\"", "\"echo_v2\"", StringComparison.Ordinal));

        Assert.That(renamed.Hash, Is.Not.EqualTo(Pin(Tool).Hash));
        Assert.That(renamed.ContentHash, Is.EqualTo(Pin(Tool).ContentHash));
    }

    [Test]
    public void Members_outside_the_pinned_fields_are_not_pinned()
    {
        Assert.That(Pin(Tool.Replace("{\"name\"", "{\"_meta\":{\"x\":1},\"name\"", StringComparison.Ordinal)).Hash, Is.EqualTo(Pin(Tool).Hash));
    }

    [Test]
    public void The_canonical_form_has_sorted_keys_and_no_whitespace()
    {
        using var document = JsonDocument.Parse("""{ "name": "a", "inputSchema": { "z": 1, "a": [ 2, { "y": null, "b": "x" } ] } }""");

        var canonical = Encoding.UTF8.GetString(ToolCanon.Canonical(document.RootElement, withName: true).WrittenSpan);

        Assert.That(canonical, Is.EqualTo("""{"inputSchema":{"a":[2,{"b":"x","y":null}],"z":1},"name":"a"}"""));
    }

    [Test]
    public void A_tool_over_the_kept_bound_is_pinned_by_hash_without_its_text()
    {
        var big = Tool.Replace("Echoes.", new string('e', ToolCanon.MaxKeptCanonicalBytes), StringComparison.Ordinal);
        using var document = JsonDocument.Parse(big);

        var observed = ToolCanon.Observe(document.RootElement, "echo");

        Assert.That(observed.Canonical, Is.Null);
        Assert.That(observed.Pin.Hash, Is.Not.EqualTo(Pin(Tool).Hash));
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var index = text.IndexOf(from, StringComparison.Ordinal);
        Assert.That(index, Is.GreaterThanOrEqualTo(0), from);
        return string.Concat(text.AsSpan(0, index), to, text.AsSpan(index + from.Length));
    }
}
