using System.Text;
using Smcp.Proxy.Json;

namespace Smcp.Proxy.Tests.Json;

public sealed class ClientBodyTests
{
    private static ClientBody Parse(string body) => ClientBody.Parse(Encoding.UTF8.GetBytes(body));

    [Test]
    public void A_one_line_message_is_forwarded_byte_for_byte_without_its_outer_blanks()
    {
        var body = Parse("""  {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "echo"}}	""");

        Assert.That(body.Problem, Is.EqualTo(BodyProblem.None));
        Assert.That(Encoding.UTF8.GetString(body.Messages[0].Line.Span),
            Is.EqualTo("""{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "echo"}}"""));
        Assert.That(body.Messages[0].Target, Is.EqualTo("echo"));
    }

    [Test]
    public void A_message_spread_over_lines_is_forwarded_as_one_line_of_compact_json()
    {
        var body = Parse("{\r\n  \"jsonrpc\": \"2.0\",\n  \"id\": \"a\",\n  \"method\": \"ping\"\n}\n");

        Assert.That(body.Problem, Is.EqualTo(BodyProblem.None));
        Assert.That(Encoding.UTF8.GetString(body.Messages[0].Line.Span), Is.EqualTo("""{"jsonrpc":"2.0","id":"a","method":"ping"}"""));
    }

    [TestCase("""{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call"}""")]
    [TestCase("""{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}""")]
    [TestCase("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read","name":"delete"}}""")]
    public void A_member_named_twice_is_an_invalid_request_so_what_is_audited_is_what_the_server_reads(string json)
    {
        var body = Parse(json);

        Assert.That(body.Problem, Is.EqualTo(BodyProblem.InvalidRequest));
        Assert.That(body.Detail, Does.Contain("same member twice"));
    }

    [Test]
    public void A_body_that_is_not_utf8_is_a_parse_error_and_is_never_forwarded()
    {
        var body = ClientBody.Parse(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"X"}}""").Select(b => b == (byte)'X' ? (byte)0xC3 : b).ToArray());

        Assert.That((body.Problem, body.Detail), Is.EqualTo((BodyProblem.ParseError, "The body is not valid UTF-8.")));
    }

    [Test]
    public void Text_that_is_not_json_is_a_parse_error()
    {
        Assert.That(Parse("""{"jsonrpc":"2.0",""").Problem, Is.EqualTo(BodyProblem.ParseError));
    }
}
