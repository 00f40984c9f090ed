using System.Text;
using Smcp.Proxy.Http;
using Smcp.Proxy.Sessions;

namespace Smcp.Proxy.Tests.Stateless;

/// <summary>The seal on requestState and the correlation key, and the header decoding and status mapping of the stateless path: pure logic.</summary>
public sealed class StatelessKeysTests
{
    private readonly StatelessKeys _keys = new();

    [Test]
    public void A_sealed_state_unseals_only_for_its_credential_tenant_and_server()
    {
        var sealedState = _keys.Seal("key:a", "acme", "notes", "round-1");

        Assert.Multiple(() =>
        {
            Assert.That(_keys.Unseal("key:a", "acme", "notes", sealedState), Is.EqualTo("round-1"));
            Assert.That(_keys.Unseal("key:b", "acme", "notes", sealedState), Is.Null);
            Assert.That(_keys.Unseal("key:a", "other", "notes", sealedState), Is.Null);
            Assert.That(_keys.Unseal("key:a", "acme", "files", sealedState), Is.Null);
            Assert.That(new StatelessKeys().Unseal("key:a", "acme", "notes", sealedState), Is.Null, "another process's key");
        });
    }

    [TestCase("round-1", TestName = "unsealed")]
    [TestCase("smcp1.", TestName = "prefix only")]
    [TestCase("smcp1.nodot", TestName = "no separator")]
    [TestCase("", TestName = "empty")]
    public void A_state_not_sealed_here_does_not_unseal(string state) =>
        Assert.That(_keys.Unseal("key:a", "acme", "notes", state), Is.Null);

    [Test]
    public void A_changed_state_or_mac_does_not_unseal()
    {
        var sealedState = _keys.Seal("key:a", "acme", "notes", "round-1");
        var dot = sealedState.IndexOf('.', 6);

        Assert.Multiple(() =>
        {
            Assert.That(_keys.Unseal("key:a", "acme", "notes", sealedState + "-TAMPERED"), Is.Null);
            Assert.That(_keys.Unseal("key:a", "acme", "notes", sealedState[..dot] + ".round-2"), Is.Null);
            Assert.That(_keys.Unseal("key:a", "acme", "notes", "smcp1.A" + sealedState[7..]), Is.Null);
        });
    }

    [Test]
    public void Parts_are_length_prefixed_so_shifting_a_boundary_changes_the_key() =>
        Assert.That(_keys.CorrelationKey("key:ab", "c", "d"), Is.Not.EqualTo(_keys.CorrelationKey("key:a", "bc", "d")));

    [Test]
    public void The_correlation_key_is_stable_per_process_and_differs_per_credential()
    {
        var first = _keys.CorrelationKey("key:a", "acme", "notes");
        Assert.Multiple(() =>
        {
            Assert.That(_keys.CorrelationKey("key:a", "acme", "notes"), Is.EqualTo(first));
            Assert.That(_keys.CorrelationKey("key:a", "acme", "notes"), Is.Not.EqualTo(_keys.CorrelationKey("key:b", "acme", "notes")));
            Assert.That(new StatelessKeys().CorrelationKey("key:a", "acme", "notes"), Is.Not.EqualTo(_keys.CorrelationKey("key:a", "acme", "notes")));
        });
    }

    [Test]
    public void Sealing_rewrites_only_a_string_requestState_in_the_result()
    {
        var line = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"result":{"resultType":"input_required","requestState":"s1","ttlMs":5}}""");
        var numeric = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"result":{"requestState":5}}""");
        var twice = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"result":{"requestState":"a","requestState":"b"}}""");

        var sealedLine = Encoding.UTF8.GetString(RequestStateSeal.SealIn(line, s => "sealed:" + s).Span);
        Assert.Multiple(() =>
        {
            Assert.That(sealedLine, Is.EqualTo("""{"jsonrpc":"2.0","id":1,"result":{"resultType":"input_required","requestState":"sealed:s1","ttlMs":5}}"""));
            Assert.That(RequestStateSeal.SealIn(numeric, s => "sealed:" + s).ToArray(), Is.EqualTo(numeric));
            Assert.That(RequestStateSeal.SealIn(twice, s => "sealed:" + s).ToArray(), Is.EqualTo(twice));
        });
    }

    [TestCase("echo", "echo")]
    [TestCase("=?base64?ZWNobw==?=", "echo")]
    [TestCase("=?base64?8J+Ygw==?=", "\U0001F603")]
    [TestCase("=?base64?ZWNobw?=", null, TestName = "unpadded base64 is not canonical")]
    [TestCase("=?base64?/w==?=", null, TestName = "base64 of invalid UTF-8")]
    [TestCase("=?base64?!!?=", null, TestName = "not base64")]
    public void Mcp_name_decodes_plain_and_canonical_base64_only(string header, string? expected) =>
        Assert.That(StatelessEnvelope.Decode(header), Is.EqualTo(expected));

    [TestCase("""{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"x"}}""", 404)]
    [TestCase("""{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"x"}}""", 400)]
    [TestCase("""{"jsonrpc":"2.0","id":1,"error":{"code":-32021,"message":"x"}}""", 400)]
    [TestCase("""{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"x"}}""", 200)]
    [TestCase("""{"jsonrpc":"2.0","id":1,"result":{}}""", 200)]
    public void An_error_answer_gets_the_status_of_its_code(string answer, int status) =>
        Assert.That(StatelessEnvelope.StatusFor(Encoding.UTF8.GetBytes(answer)), Is.EqualTo(status));
}
