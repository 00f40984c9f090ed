using System.Text;
using System.Text.Json;
using Smcp.Proxy.Json;
using Smcp.Proxy.Policy;

namespace Smcp.Proxy.Tests.Guard;

/// <summary>The output guard as pure logic: each credential shape and each form of a secret, found and not found, and hostile answers.</summary>
public sealed class OutputGuardTests
{
    private const string Secret = "s3cr3t/value+with=signs&more";

    private static readonly RequestId Id = new("s:call-7", "\"call-7\"");

    private static ReadOnlyMemory<byte> Answer(string text) =>
        Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":\"call-7\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":" + JsonSerializer.Serialize(text) + "}]}}");

    private static (string Text, GuardedOutput Output) Guard(string text, params string[] secrets)
    {
        var output = new OutputGuard(secrets).Inspect(Answer(text), Id);
        using var document = JsonDocument.Parse(output.Line);
        return (document.RootElement.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!, output);
    }

    [TestCase("AKIAIOSFODNN7EXAMPLE", "aws-access-key-id")]
    [TestCase("ASIAY34FZKBOKMUTVV7A", "aws-access-key-id")]
    [TestCase("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "github-token")]
    [TestCase("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github-token")]
    [TestCase("xoxb-123456789012-123456789012-AbCdEfGhIjKlMnOpQrStUvWx", "slack-token")]
    [TestCase("AIzaSyA-1234567890abcdefghijklmnopqrstu", "google-api-key")]
    [TestCase("sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "sk-api-key")]
    [TestCase("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key")]
    [TestCase("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt")]
    [TestCase("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "private-key")]
    [TestCase("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC (cut off)", "private-key")]
    public void A_credential_shape_is_redacted_with_its_rule_id(string credential, string rule)
    {
        var (text, output) = Guard($"before {credential} after");

        Assert.That(text, Is.EqualTo(rule == "private-key" && !credential.Contains("END", StringComparison.Ordinal)
            ? $"before [redacted:{rule}]" : $"before [redacted:{rule}] after"));
        Assert.That(output.Outcome, Is.EqualTo("redacted"));
        Assert.That(output.Detail!.Value.GetProperty("rules").GetProperty(rule).GetInt32(), Is.EqualTo(1));
    }

    [TestCase("AKIAiosfodnn7example")]
    [TestCase("XAKIAIOSFODNN7EXAMPLE")]
    [TestCase("ghp_tooShort123")]
    [TestCase("xoxq-123456789012-123456789012")]
    [TestCase("AIzaShort")]
    [TestCase("task-abcdefghijklmnopqrstuvwxyz0123")]
    [TestCase("sk-short")]
    [TestCase("eyJhbGciOiJIUzI1NiJ9 is a header alone")]
    [TestCase("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----")]
    [TestCase("the weather in eu-west-1 is sunny, 21 °C")]
    public void Honest_text_passes_byte_for_byte(string honest)
    {
        var line = Answer(honest);

        var output = new OutputGuard([Secret]).Inspect(line, Id);

        Assert.That(output.Line.ToArray(), Is.EqualTo(line.ToArray()));
        Assert.That((output.Outcome, output.Detail), Is.EqualTo(((string?)null, (JsonElement?)null)));
    }

    [Test]
    public void A_secret_is_redacted_raw_base64_url_encoded_and_hex()
    {
        var bytes = Encoding.UTF8.GetBytes(Secret);
        var forms = string.Join(' ', Secret, Convert.ToBase64String(bytes), Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            Uri.EscapeDataString(Secret), Convert.ToHexStringLower(bytes));

        var (text, output) = Guard(forms, Secret);

        Assert.That(text, Is.EqualTo("[redacted:secret-value] [redacted:secret-base64] [redacted:secret-base64] [redacted:secret-url-encoded] [redacted:secret-hex]"));
        Assert.That(output.Detail!.Value.GetProperty("redactions").GetInt32(), Is.EqualTo(5));
        Assert.That(output.Detail.Value.GetRawText(), Does.Not.Contain("s3cr3t"));
    }

    [TestCase("token=")]
    [TestCase("token:=")]
    [TestCase("token::=")]
    public void A_secret_inside_a_longer_base64_text_is_redacted_at_every_alignment(string prefix)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + Secret + "&more=1"));

        var (text, output) = Guard(encoded, Secret);

        Assert.That(text, Does.Contain("[redacted:secret-base64]"));
        Assert.That(output.Outcome, Is.EqualTo("redacted"));
    }

    [Test]
    public void A_secret_shorter_than_the_minimum_and_a_part_of_a_secret_are_left_alone()
    {
        var (text, output) = Guard("short1 and s3cr3t/value", "short1", Secret);

        Assert.That(text, Is.EqualTo("short1 and s3cr3t/value"));
        Assert.That(output.Outcome, Is.Null);
    }

    [Test]
    public void Structured_content_keys_and_error_messages_are_redacted_and_the_id_and_shape_are_kept()
    {
        var line = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":\"call-7\",\"result\":{\"structuredContent\":{\"" + Secret
            + "\":{\"deep\":[1,true,null,\"x" + Secret + "y\"]}},\"isError\":false}}");

        var output = new OutputGuard([Secret]).Inspect(line, Id);

        using var document = JsonDocument.Parse(output.Line);
        Assert.That(document.RootElement.GetProperty("id").GetString(), Is.EqualTo("call-7"));
        Assert.That(document.RootElement.GetProperty("result").GetProperty("structuredContent").GetRawText(),
            Is.EqualTo("{\"[redacted:secret-value]\":{\"deep\":[1,true,null,\"x[redacted:secret-value]y\"]}}"));
        Assert.That(document.RootElement.GetProperty("result").GetProperty("isError").GetBoolean(), Is.False);
        var error = new OutputGuard([Secret]).Inspect(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":\"call-7\",\"error\":{\"code\":-1,\"message\":\"bad " + Secret + "\"}}"), Id);
        Assert.That(Encoding.UTF8.GetString(error.Line.Span), Does.Contain("\"message\":\"bad [redacted:secret-value]\""));
    }

    [Test]
    public void An_answer_with_a_lone_surrogate_is_withheld_not_passed_unscanned()
    {
        var line = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":\"call-7\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + Secret + "\\ud800\"}]}}");

        var output = new OutputGuard([Secret]).Inspect(line, Id);

        using var document = JsonDocument.Parse(output.Line);
        Assert.That(output.Outcome, Is.EqualTo("withheld"));
        Assert.That(document.RootElement.GetProperty("id").GetString(), Is.EqualTo("call-7"));
        Assert.That(document.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("output guard could not scan it"));
        Assert.That(Encoding.UTF8.GetString(output.Line.Span), Does.Not.Contain("s3cr3t"));
    }
}
