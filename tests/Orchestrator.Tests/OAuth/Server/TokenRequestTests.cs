using System.Net;
using System.Text;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary>What <c>/token</c> refuses before any grant is looked at: the wrong issuer, the wrong encoding, too much of it.</summary>
public sealed class TokenRequestTests
{
    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    [TestCase("nobody")]
    [TestCase("frozen")]
    public async Task The_token_endpoint_of_an_unknown_or_suspended_tenant_is_404(string tenant)
    {
        using var response = await _as.TokenAsync(new() { ["grant_type"] = "client_credentials" }, tenant: tenant);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Test]
    public async Task A_json_body_is_invalid_request()
    {
        using var http = _as.Smcp.Client();
        using var response = await http.PostAsync("/oauth/acme/token", new StringContent("""{"grant_type":"client_credentials"}""", Encoding.UTF8, "application/json"));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Test]
    public async Task A_body_over_16_KiB_is_413()
    {
        using var response = await _as.TokenAsync(new() { ["grant_type"] = "client_credentials", ["padding"] = new string('a', 17 * 1024) });

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "invalid_request");
    }

    [Test]
    public async Task A_chunked_body_over_16_KiB_is_413()
    {
        using var http = _as.Smcp.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/acme/token")
        {
            Content = new StringContent("grant_type=client_credentials&padding=" + new string('a', 64 * 1024), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TransferEncodingChunked = true;

        using var response = await http.SendAsync(request);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "invalid_request");
    }

    [Test]
    public async Task A_body_slower_than_the_minimum_data_rate_is_408_not_500()
    {
        // Found by the fuzz run: a form a byte a second, below Kestrel's minimum data rate, was a 500.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_as.Smcp.BaseAddress.Host, _as.Smcp.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /oauth/acme/token HTTP/1.1\r\nHost: {_as.Smcp.BaseAddress.Authority}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"));
        var answer = ReadAnswerAsync(stream);
        foreach (var b in "grant_type=client_credentials&scope=mcp")
        {
            if (answer.IsCompleted)
            {
                break;
            }

            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"1\r\n{b}\r\n"));
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(answer, Task.Delay(TimeSpan.FromSeconds(1)));
        }

        var text = await answer;
        Assert.That(text, Does.StartWith("HTTP/1.1 408"), text);
        Assert.That(text, Does.Contain("\"error\":\"invalid_request\"").And.Contain("too slowly"));
    }

    private static async Task<string> ReadAnswerAsync(Stream stream)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            if (text.ToString().Contains("}", StringComparison.Ordinal))
            {
                break;
            }
        }

        return text.ToString();
    }

    [Test]
    public async Task A_parameter_sent_twice_is_invalid_request()
    {
        using var response = await _as.PostFormAsync("/oauth/acme/token", [new("grant_type", "client_credentials"), new("grant_type", "authorization_code")]);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Test]
    public async Task An_unknown_grant_type_is_unsupported_grant_type()
    {
        var service = await _as.AddServiceClientAsync();

        using var response = await _as.TokenAsync(new() { ["grant_type"] = "password", ["username"] = "a", ["password"] = "b" }, service);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "unsupported_grant_type");
    }

    [Test]
    public async Task An_unknown_client_is_401_invalid_client()
    {
        using var response = await _as.TokenAsync(new() { ["grant_type"] = "authorization_code", ["client_id"] = "nobody", ["code"] = "x" });

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [TestCase("bad\u0000id")]
    [TestCase("bad\nid")]
    public async Task A_client_id_with_control_characters_is_invalid_client_not_a_server_error(string clientId)
    {
        using var response = await _as.TokenAsync(new() { ["grant_type"] = "authorization_code", ["client_id"] = clientId, ["code"] = "x" });

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Test]
    public async Task A_metadata_document_client_id_whose_document_is_not_accepted_is_invalid_client()
    {
        using var response = await _as.TokenAsync(new() { ["grant_type"] = "authorization_code", ["client_id"] = "https://client.invalid/metadata.json", ["code"] = "x" });

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Test]
    public async Task A_browser_client_on_another_origin_may_preflight_and_read_the_answers()
    {
        using var http = _as.Smcp.Client();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/oauth/acme/register");
        preflight.Headers.Add("Origin", "https://inspector.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var allowed = await http.SendAsync(preflight);
        using var metadata = await http.GetAsync("/.well-known/oauth-authorization-server/oauth/acme");
        using var refused = await _as.TokenAsync(new() { ["grant_type"] = "client_credentials" });

        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(allowed.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo("*"));
        Assert.That(allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), Does.Contain("Content-Type"));
        Assert.That(allowed.Headers.Contains("Access-Control-Allow-Credentials"), Is.False);
        Assert.That(metadata.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo("*"));
        Assert.That(refused.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo("*"), "errors are readable too");
    }
}
