using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Jose;
using Base64Url = System.Buffers.Text.Base64Url;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Orchestrator.OAuth;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary>What the tests do against the shared host's authorization server, each step as a client or an admin would.</summary>
internal sealed class AuthServerClient(SmcpServerFixture smcp)
{
    public const string RedirectUri = "http://127.0.0.1:53682/callback";

    public string BaseUrl { get; } = smcp.BaseAddress.ToString().TrimEnd('/');

    public SmcpServerFixture Smcp => smcp;

    public string Issuer(string tenant = "acme") => $"{BaseUrl}/oauth/{tenant}";

    public string Resource(string tenant = "acme", string server = "notes") => $"{BaseUrl}/t/{tenant}/{server}/mcp";

    public static string NewVerifier() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Challenge(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public async Task<HttpResponseMessage> PostRegisterAsync(string json, string tenant = "acme")
    {
        using var http = smcp.Client();
        return await http.PostAsync($"/oauth/{tenant}/register", new StringContent(json, Encoding.UTF8, "application/json"));
    }

    /// <summary>Registers a client through <c>/register</c>; public (auth method none) unless the metadata says otherwise.</summary>
    public async Task<JsonObject> RegisterAsync(JsonObject? metadata = null, string tenant = "acme")
    {
        metadata ??= new JsonObject
        {
            ["redirect_uris"] = new JsonArray(RedirectUri),
            ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
            ["token_endpoint_auth_method"] = "none",
            ["client_name"] = "test client",
        };
        using var response = await PostRegisterAsync(metadata.ToJsonString(), tenant);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    public async Task<Guid> AddUserAsync(string tenant = "acme")
    {
        var email = $"u{Guid.NewGuid():N}@example.com";
        return await smcp.Database.Db.RunAsync(tenant, (connection, transaction) => connection.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "INSERT INTO oauth_users (tenant_id, email) VALUES (@tenant, @email) RETURNING id", new { tenant, email }, transaction)), CancellationToken.None);
    }

    /// <summary>A service client, as a tenant admin would make one: client_credentials, secret by HTTP Basic or in the form.</summary>
    public async Task<(string Id, string Secret)> AddServiceClientAsync(string tenant = "acme", string authMethod = "client_secret_basic")
    {
        var id = "svc-" + Guid.NewGuid().ToString("N")[..12];
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await smcp.Database.Db.RunAsync(tenant, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO oauth_clients (tenant_id, client_id, kind, grant_types, auth_method, secret_hash)
            VALUES (@tenant, @id, 'service', '{client_credentials}', @authMethod, @hash)
            """, new { tenant, id, authMethod, hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret)) }, transaction)), CancellationToken.None);
        return (id, secret);
    }

    /// <summary>An authorization code, as the consent page makes one.</summary>
    public Task<string> CodeAsync(string clientId, Guid userId, string challenge, string tenant = "acme", string? resource = null, string redirectUri = RedirectUri) =>
        smcp.Services.GetRequiredService<AuthorizationCodeStore>().CreateAsync(tenant, new AuthorizationGrant
        {
            ClientId = clientId,
            UserId = userId,
            RedirectUri = redirectUri,
            CodeChallenge = challenge,
            Resource = resource ?? Resource(tenant),
            Scope = "mcp",
        }, TimeSpan.FromMinutes(1), CancellationToken.None);

    public async Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> form, (string Id, string Secret)? basic = null)
    {
        using var http = smcp.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (basic is { } credentials)
        {
            var pair = $"{Uri.EscapeDataString(credentials.Id)}:{Uri.EscapeDataString(credentials.Secret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        return await http.SendAsync(request);
    }

    public Task<HttpResponseMessage> TokenAsync(Dictionary<string, string> form, (string Id, string Secret)? basic = null, string tenant = "acme") =>
        PostFormAsync($"/oauth/{tenant}/token", form, basic);

    /// <summary>A registered public client, a user, and the tokens the user's code was redeemed for.</summary>
    public async Task<(string ClientId, JsonObject Tokens)> AuthorizedAsync()
    {
        var clientId = (await RegisterAsync())["client_id"]!.GetValue<string>();
        var verifier = NewVerifier();
        var code = await CodeAsync(clientId, await AddUserAsync(), Challenge(verifier));
        using var response = await TokenAsync(CodeForm(clientId, code, verifier));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (clientId, await JsonAsync(response));
    }

    public static Dictionary<string, string> CodeForm(string clientId, string code, string verifier, string redirectUri = RedirectUri) => new()
    {
        ["grant_type"] = "authorization_code",
        ["client_id"] = clientId,
        ["code"] = code,
        ["redirect_uri"] = redirectUri,
        ["code_verifier"] = verifier,
    };

    public static Dictionary<string, string> RefreshForm(string clientId, string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["client_id"] = clientId,
        ["refresh_token"] = refreshToken,
    };

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>Asserts an OAuth error answer (RFC 6749 section 5.2): its status, its code, a description and no caching.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        var json = JsonNode.Parse(body)!.AsObject();
        Assert.That(json["error"]!.GetValue<string>(), Is.EqualTo(error), body);
        Assert.That(json["error_description"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
    }

    /// <summary>Verifies a token against the key set at <c>/oauth/jwks</c>, as a resource server would; its header and claims.</summary>
    public async Task<(JsonObject Header, JsonObject Claims)> DecodeAsync(string token)
    {
        using var http = smcp.Client();
        var jwks = JwkSet.FromJson(await http.GetStringAsync("/oauth/jwks"), JWT.DefaultSettings.JsonMapper);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[0])))!.AsObject();
        var kid = header["kid"]!.GetValue<string>();
        var key = jwks.Keys.SingleOrDefault(k => k.KeyId == kid);
        Assert.That(key, Is.Not.Null, $"the key set publishes no key {kid}");
        var claims = JsonNode.Parse(JWT.Decode(token, key!, JwsAlgorithm.ES256))!.AsObject();
        return (header, claims);
    }
}
