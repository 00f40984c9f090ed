using System.Text;
using Smcp.Proxy.Logs;

namespace Smcp.Proxy.Tests.Logs;

/// <summary>How a sandbox's stderr bytes become text a terminal may print: pure logic, hostile bytes included.</summary>
public sealed class ServerLogTextTests
{
    [Test]
    public void Honest_text_passes_unchanged()
    {
        Assert.That(ServerLogText.Render("listening\n\tready: ok é 日本\n"u8, []), Is.EqualTo("listening\n\tready: ok é 日本\n"));
    }

    [Test]
    public void Escape_sequences_controls_and_bidi_characters_are_spelled_out()
    {
        var bytes = Encoding.UTF8.GetBytes("\u001b[2J\u001b]8;;http://x\u0007link\u009b31m \u202Eevil\u2066\r\nnext\rover\n");

        Assert.That(ServerLogText.Render(bytes, []), Is.EqualTo("U+001B[2JU+001B]8;;http://xU+0007linkU+009B31m U+202EevilU+2066\nnextU+000Dover\n"));
    }

    [Test]
    public void Invalid_utf8_becomes_replacement_characters()
    {
        Assert.That(ServerLogText.Render([0x61, 0xff, 0xc3, 0x0a, 0xed, 0xa0, 0x80, 0x62], []), Is.EqualTo("a\uFFFD\uFFFD\n\uFFFD\uFFFD\uFFFDb"));
    }

    [Test]
    public void Secrets_and_credential_shapes_are_redacted_as_the_output_guard_does()
    {
        const string secret = "s3cr3t/value+with=signs&more";
        var bytes = Encoding.UTF8.GetBytes($"key={secret} b64={Convert.ToBase64String(Encoding.UTF8.GetBytes(secret))} aws AKIAIOSFODNN7EXAMPLE\n");

        Assert.That(ServerLogText.Render(bytes, [secret]),
            Is.EqualTo("key=[redacted:secret-value] b64=[redacted:secret-base64] aws [redacted:aws-access-key-id]\n"));
    }

    [Test]
    public void A_secret_hidden_behind_an_escape_sequence_is_still_redacted_before_the_escape_is_spelled_out()
    {
        const string secret = "s3cr3t/value+with=signs&more";

        Assert.That(ServerLogText.Render(Encoding.UTF8.GetBytes($"\u001b[8m{secret}\u001b[0m\n"), [secret]), Is.EqualTo("U+001B[8m[redacted:secret-value]U+001B[0m\n"));
    }
}
