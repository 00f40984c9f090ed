using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace Smcp.Fuzz.Tests.Generation;

/// <summary>Generators of request bodies a hostile or broken client sends: every shape the issue names, and plausible ones between.</summary>
internal static class HostileBodies
{
    /// <summary>The deepest a generated nesting goes (the proxy's parser stops at 64).</summary>
    public const int MaxDepth = 10_000;

    private static readonly string[] Methods =
    [
        "initialize", "ping", "tools/list", "tools/call", "resources/list", "resources/read", "resources/templates/list",
        "resources/subscribe", "prompts/list", "prompts/get", "completion/complete", "logging/setLevel",
        "notifications/initialized", "notifications/cancelled", "notifications/progress", "notifications/roots/list_changed",
        "sampling/createMessage", "", "x", "tools/list\\u0000", "../admin", "initialize ", "TOOLS/LIST", "rpc.discover",
    ];

    private static readonly string[] ParamsShapes =
    [
        "{}", """{"name":"echo","arguments":{"message":"fuzz"}}""", """{"name":"no-such-tool","arguments":{}}""",
        """{"name":"echo","arguments":"not an object"}""", """{"uri":"test://static/resource/1"}""", """{"uri":"file:///etc/passwd"}""",
        """{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}""",
        """{"protocolVersion":"1999-01-01","capabilities":null}""", """{"requestId":1,"reason":"fuzz"}""",
        """{"_meta":{"progressToken":"p"},"name":"echo","arguments":{"message":"p"}}""", """{"level":"debug"}""",
        """{"progressToken":{},"progress":"x"}""", """{"cursor":"\u0000\u0001"}""", "[]", "[1,2,3]", "\"params\"", "12", "null", "true",
    ];

    private static readonly string[] OddIds = ["null", "1.5", "-0", "1e400", "-1e-400", "\"\"", "\"a\\u0000b\"", "9007199254740993"];

    private static readonly string[] NotJsonRpcShapes =
    [
        """{"jsonrpc":"1.0","id":1,"method":"ping"}""", """{"id":1,"method":"ping"}""", """{"jsonrpc":2.0,"id":1,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":{},"method":"ping"}""", """{"jsonrpc":"2.0","id":[1],"method":"ping"}""", """{"jsonrpc":"2.0","id":true,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":7}""", """{"jsonrpc":"2.0","id":1,"method":null}""", """{"jsonrpc":"2.0","id":1,"result":{},"error":{}}""",
        """{"jsonrpc":"2.0","result":{}}""", """{"jsonrpc":"2.0","id":1}""", """{"jsonrpc":"2.0"}""", "{}", "[]", "1", "\"ping\"", "null", "true",
        "[1,2]", "[[]]", """[{"jsonrpc":"2.0","id":1,"method":"ping"},3]""", """{"jsonrpc":"2.0","id":{"a":1},"result":1}""",
    ];

    private static readonly string[] BreakingInserts = ["{", "}", "[", "]", "\"", ",", ":", "\\", "\u0000", "/*", "'", "NaN", "\n{", "\\u12"];

    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xC3], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82], [0xFE, 0xFF],
    ];

    private static readonly string[] FormFields =
        ["grant_type", "code", "redirect_uri", "code_verifier", "client_id", "client_secret", "refresh_token", "resource", "scope", "token", "username", "password", "approve", "deny", "__RequestVerificationToken", "state"];

    private static readonly string[] FormValues =
        ["authorization_code", "refresh_token", "client_credentials", "password", "http://127.0.0.1/cb", "mcp", "%ZZ", "%FF%FE", "a+b", "", "\u00e9", "https://evil.example/"];

    /// <summary>Just past the OAuth endpoints' 16 KiB and the proxy's 4 MiB, and past Kestrel's 30 MB (rarely: it is slow to send).</summary>
    private static readonly Gen<int> OversizeLength = Gen.Frequency(
        (4, Gen.Const(16 * 1024 + 1)), (2, Gen.Const(64 * 1024)), (4, Gen.Const(4 * 1024 * 1024 + 1)), (2, Gen.Const(6 * 1024 * 1024)), (1, Gen.Const(31 * 1024 * 1024)));

    private static readonly Gen<string> Method = Gen.Frequency(
        (8, Gen.OneOf(Methods)),
        (1, Text("abcdefghijklmnopqrstuvwxyz/_-.", 0, 40)));

    private static readonly Gen<string> Id = Gen.Frequency(
        (8, Gen.Int[0, 100_000].Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (2, Text("abcdefghijklmnopqrstuvwxyz0123456789-", 0, 36).Select(s => $"\"{s}\"")),
        (1, Gen.OneOf(OddIds)));

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (3, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (3, Text("abc \\\"\u00e9\u2028", 0, 30).Select(s => JsonSerializer.Serialize(s))),
        (1, Gen.OneOf("true", "false", "null", "1e308", "-0.0", "123456789012345678901234567890")));

    private static readonly Gen<string> Value = Gen.Recursive<string>((depth, inner) => depth >= 4
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, inner.Array[0, 5].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Select(Text("abcdefghij_", 1, 8), inner).Array[0, 5]
                .Select(members => "{" + string.Join(",", members.DistinctBy(m => m.Item1).Select(m => $"\"{m.Item1}\":{m.Item2}")) + "}"))));

    private static readonly Gen<string> Params = Gen.Frequency((6, Gen.OneOf(ParamsShapes)), (2, Value));

    /// <summary>A JSON-RPC request or notification a client could send, with real or made-up methods and params.</summary>
    public static readonly Gen<string> Message =
        from method in Method
        from id in Id
        from isNotification in Gen.Int[0, 5].Select(i => i == 0)
        from parameters in Params
        from hasParams in Gen.Int[0, 4].Select(i => i > 0)
        select "{\"jsonrpc\":\"2.0\"" + (isNotification ? "" : ",\"id\":" + id) + $",\"method\":\"{method}\"" + (hasParams ? ",\"params\":" + parameters : "") + "}";

    /// <summary>An object the tenant API or the OAuth registration might read, with the members it knows and odd values.</summary>
    private static readonly Gen<string> ApiObject =
        Gen.Select(
            Gen.OneOf("image", "args", "env", "name", "role", "value", "redirect_uris", "grant_types", "client_name", "scope",
                "token_endpoint_auth_method", "client_uri", "jwks", "response_types"),
            Gen.Frequency((3, Value), (1, Gen.OneOf("\"tenant-admin\"", "\"read-only\"", "[\"http://127.0.0.1/cb\"]", "[\"client_credentials\"]", "\"none\""))))
        .Array[0, 6]
        .Select(members => "{" + string.Join(",", members.DistinctBy(m => m.Item1).Select(m => $"\"{m.Item1}\":{m.Item2}")) + "}");

    public static readonly Gen<(BodyKind Kind, byte[] Body, int PadTo)> Any = Gen.Frequency(
        (3, Gen.Const((BodyKind.Empty, Array.Empty<byte>(), 0))),
        (3, Gen.Byte.Array[1, 2048].Select(b => (BodyKind.RandomBytes, b, 0))),
        (8, BrokenJson()),
        (3, DeepNesting()),
        (4, InvalidUtf8()),
        (3, DuplicateMembers()),
        (5, Gen.OneOf(NotJsonRpcShapes).Select(s => Plain(BodyKind.NotJsonRpc, s))),
        (3, HugeNumber()),
        (2, HugeString()),
        (3, Message.Array[1, 40].Select(m => Plain(BodyKind.Batch, "[" + string.Join(",", m) + "]"))),
        (5, Gen.Select(Method, Id, Value).Select(t => Plain(BodyKind.OddParams, $"{{\"jsonrpc\":\"2.0\",\"id\":{t.Item2},\"method\":\"{t.Item1}\",\"params\":{t.Item3}}}"))),
        (16, Message.Select(m => Plain(BodyKind.Plausible, m))),
        (4, ApiObject.Select(o => Plain(BodyKind.Plausible, o))),
        (4, Form()),
        (1, Gen.Select(OversizeLength, Gen.Int[0, 60]).Select(t => (BodyKind.Oversize, Encoding.UTF8.GetBytes(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"" + new string('a', t.Item2)), t.Item1))));

    private static Gen<string> Text(string chars, int min, int max) => Gen.Char[chars].Array[min, max].Select(c => new string(c));

    private static (BodyKind, byte[], int) Plain(BodyKind kind, string text) => (kind, Encoding.UTF8.GetBytes(text), 0);

    /// <summary>A message cut short or with a structural character put in; one that still parses is counted as plausible.</summary>
    private static Gen<(BodyKind, byte[], int)> BrokenJson() =>
        from message in Message
        from cut in Gen.Double.Unit
        from insert in Gen.OneOf(BreakingInserts)
        from how in Gen.Int[0, 3]
        let at = (int)(cut * message.Length)
        let text = how switch
        {
            0 => message[..at],
            1 => message.Insert(at, insert),
            2 => message + insert,
            _ => message.Replace('"', '\''),
        }
        select Plain(Parses(text) ? BodyKind.Plausible : BodyKind.BrokenJson, text);

    private static Gen<(BodyKind, byte[], int)> DeepNesting() =>
        from depth in Gen.Int[65, MaxDepth]
        from objects in Gen.Bool
        from wrapped in Gen.Bool
        let open = objects ? string.Concat(Enumerable.Repeat("{\"a\":", depth)) : new string('[', depth)
        let close = objects ? new string('}', depth) : new string(']', depth)
        let deep = open + "1" + close
        select Plain(BodyKind.DeepNesting, wrapped ? "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":" + deep + "}" : deep);

    private static Gen<(BodyKind, byte[], int)> InvalidUtf8() =>
        from method in Method
        from bad in Gen.OneOf(BadUtf8)
        from inMethod in Gen.Bool
        let before = Encoding.UTF8.GetBytes(inMethod
            ? "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method
            : "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"")
        let after = Encoding.UTF8.GetBytes(inMethod ? "\"}" : "\"}}}")
        select (BodyKind.InvalidUtf8, (byte[])[.. before, .. bad, .. after], 0);

    private static Gen<(BodyKind, byte[], int)> DuplicateMembers() =>
        from member in Gen.OneOf("jsonrpc", "id", "method", "params")
        from nested in Gen.Bool
        select Plain(BodyKind.DuplicateMembers, nested
            ? """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","name":"get-env","arguments":{}}}"""
            : member switch
            {
                "jsonrpc" => """{"jsonrpc":"2.0","jsonrpc":"1.0","id":1,"method":"ping"}""",
                "id" => """{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}""",
                "method" => """{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"}""",
                _ => """{"jsonrpc":"2.0","id":1,"method":"ping","params":{},"params":[]}""",
            });

    private static Gen<(BodyKind, byte[], int)> HugeNumber() =>
        from digits in Gen.Int[20, 200_000]
        from place in Gen.Int[0, 2]
        from exponent in Gen.OneOf("", "e999999999", "E-999999999", ".5")
        let number = "9" + new string('7', digits) + exponent
        select Plain(BodyKind.HugeNumber, place switch
        {
            0 => $"{{\"jsonrpc\":\"2.0\",\"id\":{number},\"method\":\"ping\"}}",
            1 => $"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{{\"name\":\"echo\",\"arguments\":{{\"message\":{number}}}}}}}",
            _ => $"{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{{\"requestId\":{number}}}}}",
        });

    private static Gen<(BodyKind, byte[], int)> HugeString() =>
        from length in Gen.Int[60_000, 1_000_000]
        from place in Gen.Int[0, 3]
        let filler = place == 3 ? string.Concat(Enumerable.Repeat("\\u0000", length / 6)) : new string('x', length)
        select Plain(BodyKind.HugeString, place switch
        {
            0 => $"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"{filler}\"}}",
            1 => $"{{\"jsonrpc\":\"2.0\",\"id\":\"{filler}\",\"method\":\"ping\"}}",
            2 => $"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{{\"name\":\"{filler}\",\"arguments\":{{}}}}}}",
            _ => $"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{{\"name\":\"echo\",\"arguments\":{{\"message\":\"{filler}\"}}}}}}",
        });

    private static Gen<(BodyKind, byte[], int)> Form() =>
        Gen.Select(Gen.OneOf(FormFields), Gen.Frequency((4, Gen.OneOf(FormValues)), (1, Gen.Int[0, 20_000].Select(n => new string('z', n)))))
            .Array[0, 12]
            .Select(pairs => Plain(BodyKind.Form, string.Join("&", pairs.Select(p => p.Item1 + "=" + p.Item2))));

    private static bool Parses(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowDuplicateProperties = false });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
