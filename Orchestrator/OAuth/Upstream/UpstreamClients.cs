using System.Collections.Concurrent;
using Duende.IdentityModel.Client;
using Duende.IdentityModel.OidcClient;
using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.OAuth.Upstream;

/// <summary>One OIDC client (Duende.IdentityModel.OidcClient, certified) per tenant's upstream provider and callback URL, over one bounded HTTP client.</summary>
/// <remarks>
/// A client reads the provider's discovery document and keys once and keeps them for <see cref="Lifetime"/>; a
/// signature that does not verify makes the library fetch the keys again. A changed provider, client id, secret or
/// scope list in smcp.yaml makes a new client on the next sign-in.
/// </remarks>
internal sealed class UpstreamClients(UpstreamIdTokenValidator validator, TimeProvider time, ILoggerFactory loggers) : IDisposable
{
    /// <summary>The largest answer read from a provider (discovery, keys, token response).</summary>
    public const int MaxResponseBytes = 256 * 1024;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a provider's discovery document is used before it is read again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>Callback URLs depend on the Host header when no public base URL is set: past this many clients, all are dropped and made again.</summary>
    private const int MaxClients = 256;

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout,
        MaxResponseContentBufferSize = MaxResponseBytes,
    };

    private readonly ConcurrentDictionary<(string Tenant, string RedirectUri), Entry> _clients = new();

    /// <summary>The client for the tenant's provider; null when its client secret cannot be read now.</summary>
    public OidcClient? For(string tenant, UpstreamProviderConfig provider, string redirectUri)
    {
        string? secret = null;
        if (provider.ClientSecret is { } source && (secret = source.Read(Environment.GetEnvironmentVariable)) is null)
        {
            return null;
        }

        var key = (tenant, redirectUri);
        var now = time.GetUtcNow();
        if (_clients.TryGetValue(key, out var entry) && entry.Provider == provider && entry.Secret == secret && now - entry.Created < Lifetime)
        {
            return entry.Client;
        }

        if (_clients.Count >= MaxClients)
        {
            _clients.Clear();
        }

        var client = new OidcClient(Options(provider, secret, redirectUri));
        _clients[key] = new Entry(provider, secret, client, now);
        return client;
    }

    public void Dispose() => _http.Dispose();

    private OidcClientOptions Options(UpstreamProviderConfig provider, string? secret, string redirectUri) => new()
    {
        Authority = provider.Issuer,
        ClientId = provider.ClientId,
        ClientSecret = secret,
        Scope = string.Join(' ', provider.Scopes),
        RedirectUri = redirectUri,
        HttpClientFactory = _ => _http,
        LoggerFactory = loggers,
        IdentityTokenValidator = validator,
        // The identity is read from the ID token this validator checked, never from userinfo, and the nonce is kept for the caller to check.
        LoadProfile = false,
        FilterClaims = false,
        RefreshDiscoveryDocumentForLogin = false,
        ClockSkew = UpstreamIdTokenValidator.ClockSkew,
        Policy = new Policy
        {
            RequireIdentityTokenSignature = true,
            Discovery = new DiscoveryPolicy
            {
                RequireHttps = !provider.AllowHttp,
                AllowHttpOnLoopback = provider.AllowHttp,
                ValidateIssuerName = true,
                // Large providers serve their endpoints from other hosts than the issuer's (the token endpoint of accounts.google.com is on oauth2.googleapis.com).
                ValidateEndpoints = false,
            },
        },
    };

    private sealed record Entry(UpstreamProviderConfig Provider, string? Secret, OidcClient Client, DateTimeOffset Created);
}
