using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Auth;

namespace Smcp.Orchestrator.Cli;

/// <summary>The tenant API as a command sees it: every answer that is not a success becomes a <see cref="CliException"/> carrying the problem's <c>detail</c>.</summary>
internal sealed class ApiClient : IDisposable
{
    /// <summary>The bound on an answer read into memory (listings, problems); an image upload streams and is not read back whole.</summary>
    public const int MaxAnswerBytes = 8 * 1024 * 1024;

    private readonly HttpClient _http;

    public ApiClient(StoredLogin login, TimeSpan? timeout = null)
    {
        Key = login.Key;
        var url = LoginStore.CheckUrl(login.Url);
        _http = new HttpClient
        {
            BaseAddress = new Uri(url.ToString().TrimEnd('/') + "/"),
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
            MaxResponseContentBufferSize = MaxAnswerBytes,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.Key);
    }

    public string Key { get; }

    public Uri BaseAddress => _http.BaseAddress!;

    public static ApiClient FromLogin() => new(LoginStore.Load());

    /// <summary>The tenant a command acts on: <paramref name="explicitTenant"/>, else the one the key names.</summary>
    public string Tenant(string? explicitTenant)
    {
        if (explicitTenant is not null)
        {
            return TenantId.IsValid(explicitTenant)
                ? explicitTenant
                : throw new CliException(ExitCodes.Usage, $"'{explicitTenant}' is not a tenant id (lowercase letters, digits and '-').");
        }

        return ApiKeyFormat.TenantOf(Key)
               ?? throw new CliException(ExitCodes.Usage, "this key names no tenant (it is not an smcp_{tenant}_… key); pass --tenant.");
    }

    public async Task<string> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Unavailable, $"cannot reach {BaseAddress} ({ex.HttpRequestError}); check the URL and that smcp serve is running.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unavailable, $"{BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s; try again later.");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return body;
            }

            throw new CliException(ExitCodes.ForStatus((int)response.StatusCode), Describe((int)response.StatusCode, body));
        }
    }

    public Task<string> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<string> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    public Task<string> PutJsonAsync(string path, JsonNode body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path, Json(body), cancellationToken);

    public Task<string> PostJsonAsync(string path, JsonNode body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, Json(body), cancellationToken);

    public void Dispose() => _http.Dispose();

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>One line: the problem's detail (else its title), and the status; never the request's key.</summary>
    private static string Describe(int status, string body)
    {
        string? detail = null;
        try
        {
            if (JsonNode.Parse(body) is JsonObject problem)
            {
                detail = (problem["detail"] ?? problem["title"])?.GetValue<string>();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            detail = null;
        }

        detail ??= status switch
        {
            401 => "the key was refused; run `smcp login` with a valid key",
            403 => "this key may not do that; use a key of the tenant with the tenant-admin role",
            404 => "not found",
            _ => "the server answered without a reason",
        };
        return $"{detail.ReplaceLineEndings(" ").TrimEnd('.')} (HTTP {status}).";
    }
}
