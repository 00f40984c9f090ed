using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Auth;

/// <summary>An external issuer's signing keys, fetched over HTTP from its JWKS (given, or found by discovery) and kept in memory.</summary>
/// <remarks>
/// The key set is fetched on first use, again when a token names a <c>kid</c> it lacks, at most once per
/// <see cref="RemoteJsonWebKeysOptions.RefreshFloor"/> (a rotated key is picked up within that time, and a flood
/// of tokens with made-up ids costs one fetch per floor), and once it is <see cref="RemoteJsonWebKeysOptions.MaxAge"/>
/// old (a withdrawn key stops verifying). A failed fetch keeps the keys already
/// known, is logged, and makes the token invalid; it never fails the request otherwise.
/// </remarks>
public sealed class RemoteJsonWebKeys : IJsonWebKeySource, IDisposable
{
    private const int MaxKeys = 100;

    private readonly RemoteJsonWebKeysOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile IReadOnlyDictionary<string, string> _keys = new Dictionary<string, string>(StringComparer.Ordinal);
    private string? _jwksUrl;
    private DateTimeOffset? _lastFetch;

    /// <param name="options">The issuer and its limits.</param>
    /// <param name="http">A client shared by all issuers; it should not follow redirects.</param>
    /// <param name="time">The clock of the refresh floor.</param>
    /// <param name="logger">Where failed fetches are reported.</param>
    public RemoteJsonWebKeys(RemoteJsonWebKeysOptions options, HttpClient http, TimeProvider time, ILogger logger)
    {
        _options = options;
        _http = http;
        _time = time;
        _logger = logger;
        _jwksUrl = options.JwksUrl;
    }

    /// <summary>What this source was made for: a reload keeps it while these stay the same.</summary>
    public RemoteJsonWebKeysOptions Options => _options;

    public async ValueTask<string?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_keys.TryGetValue(keyId, out var known) && !IsStale())
        {
            return known;
        }

        if (!MayFetch())
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have fetched while this one waited.
            if ((_keys.TryGetValue(keyId, out known) && !IsStale()) || !MayFetch())
            {
                return known;
            }

            _lastFetch = _time.GetUtcNow();
            using var timeout = new CancellationTokenSource(_options.Timeout, _time);
            if (await FetchAsync(timeout.Token).ConfigureAwait(false) is { } keys)
            {
                _keys = keys;
            }

            return _keys.GetValueOrDefault(keyId);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private bool MayFetch() => _lastFetch is not { } last || _time.GetUtcNow() - last >= _options.RefreshFloor;

    // Measured from the last attempt: while the issuer is unreachable the keys it published last stay in use.
    private bool IsStale() => _lastFetch is not { } last || _time.GetUtcNow() - last >= _options.MaxAge;

    // Not tied to the request that triggered it: the fetch serves every request waiting on the gate.
    private async Task<Dictionary<string, string>?> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            _jwksUrl ??= await DiscoverAsync(cancellationToken).ConfigureAwait(false);
            if (_jwksUrl is null)
            {
                return null;
            }

            using var document = await GetJsonAsync(_jwksUrl, cancellationToken).ConfigureAwait(false);
            if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root
                || !root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                Log.JwksUnusable(_logger, _options.Issuer, "the key set has no keys array");
                return null;
            }

            var found = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in keys.EnumerateArray().Take(MaxKeys))
            {
                if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String)
                {
                    found.TryAdd(kid.GetString()!, key.GetRawText());
                }
            }

            return found;
        }
        catch (OperationCanceledException)
        {
            Log.JwksFetchFailed(_logger, _options.Issuer, $"no answer within {_options.Timeout}");
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException)
        {
            Log.JwksFetchFailed(_logger, _options.Issuer, ex.Message);
            return null;
        }
    }

    /// <summary>The <c>jwks_uri</c> of the OIDC discovery document, else of the RFC 8414 one; each must name this issuer.</summary>
    private async Task<string?> DiscoverAsync(CancellationToken cancellationToken)
    {
        var issuer = new Uri(_options.Issuer);
        var path = issuer.AbsolutePath.TrimEnd('/');
        var authority = issuer.GetLeftPart(UriPartial.Authority);
        foreach (var url in new[] { $"{_options.Issuer.TrimEnd('/')}/.well-known/openid-configuration", $"{authority}/.well-known/oauth-authorization-server{path}" })
        {
            using var document = await GetJsonAsync(url, cancellationToken).ConfigureAwait(false);
            if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root)
            {
                continue;
            }

            if (!root.TryGetProperty("issuer", out var named) || named.ValueKind != JsonValueKind.String || named.GetString() != _options.Issuer)
            {
                Log.JwksUnusable(_logger, _options.Issuer, $"the discovery document {url} names another issuer");
                continue;
            }

            if (root.TryGetProperty("jwks_uri", out var jwks) && jwks.ValueKind == JsonValueKind.String && IsAllowed(jwks.GetString()!))
            {
                return jwks.GetString();
            }

            Log.JwksUnusable(_logger, _options.Issuer, $"the discovery document {url} has no usable jwks_uri");
        }

        return null;
    }

    /// <summary>A JSON document of at most <see cref="RemoteJsonWebKeysOptions.MaxBytes"/>, or null (logged) for any other answer.</summary>
    private async Task<JsonDocument?> GetJsonAsync(string url, CancellationToken cancellationToken)
    {
        if (!IsAllowed(url))
        {
            Log.JwksUnusable(_logger, _options.Issuer, $"{url} is not an https URL");
            return null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            Log.JwksUnusable(_logger, _options.Issuer, $"{url} answered {(int)response.StatusCode}");
            return null;
        }

        if (response.Content.Headers.ContentLength > _options.MaxBytes)
        {
            Log.JwksUnusable(_logger, _options.Issuer, $"{url} is larger than {_options.MaxBytes} bytes");
            return null;
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[_options.MaxBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            if (length > _options.MaxBytes)
            {
                Log.JwksUnusable(_logger, _options.Issuer, $"{url} is larger than {_options.MaxBytes} bytes");
                return null;
            }

            return JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 16 });
        }
    }

    private bool IsAllowed(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (_options.AllowHttp && uri.Scheme == Uri.UriSchemeHttp));
}
