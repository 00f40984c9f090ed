using Smcp.Orchestrator.Config;
using Smcp.Proxy.Auth;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.OAuth;

/// <summary>The external issuers of smcp.yaml's <c>oauth.issuers</c>, kept in step with the live configuration.</summary>
/// <remarks>
/// Each issuer has one <see cref="RemoteJsonWebKeys"/>; a reload that leaves an issuer's key location unchanged
/// keeps it, so its cached keys and refresh floor survive the edit. An issuer not listed is not found here
/// (the built-in issuers are another <see cref="ITokenIssuers"/>'s).
/// </remarks>
internal sealed class ConfiguredIssuers : ITokenIssuers, IDisposable
{
    private readonly ConfigMonitor _config;
    private readonly TimeProvider _time;
    private readonly ILogger<RemoteJsonWebKeys> _logger;
    private readonly HttpClient _http;
    private readonly Lock _rebuild = new();
    private volatile Snapshot _snapshot = new([], new Dictionary<string, TrustedIssuer>(StringComparer.Ordinal), new Dictionary<string, RemoteJsonWebKeys>(StringComparer.Ordinal));

    public ConfiguredIssuers(ConfigMonitor config, TimeProvider time, ILogger<RemoteJsonWebKeys> logger)
    {
        _config = config;
        _time = time;
        _logger = logger;
        // Redirects are not followed: a key set is fetched from the URL configured or discovered, nowhere else.
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
        Apply(config.Current.OAuth.Issuers);
        config.Changed += OnChanged;
    }

    public TrustedIssuer? Find(string issuer, string tenant, string baseUrl) =>
        _snapshot.ByIssuer.TryGetValue(issuer, out var found) && (found.Tenant is null || found.Tenant == tenant) ? found : null;

    public IReadOnlyList<string> AuthorizationServers(string tenant, string baseUrl) =>
        [.. _snapshot.Ordered.Where(i => i.TenantClaim is not null || i.Tenant == tenant).Select(i => i.Issuer)];

    public IReadOnlyList<string> SharedAuthorizationServers(string baseUrl) =>
        [.. _snapshot.Ordered.Where(i => i.TenantClaim is not null).Select(i => i.Issuer)];

    /// <summary>The key source of an issuer, for tests and diagnostics.</summary>
    public RemoteJsonWebKeys? KeysOf(string issuer) => _snapshot.Keys.GetValueOrDefault(issuer);

    public void Dispose()
    {
        _config.Changed -= OnChanged;
        foreach (var keys in _snapshot.Keys.Values)
        {
            keys.Dispose();
        }

        _http.Dispose();
    }

    private void OnChanged(object? sender, ConfigChangedEventArgs e) => Apply(e.Current.OAuth.Issuers);

    private void Apply(IReadOnlyList<TrustedIssuerConfig> issuers)
    {
        lock (_rebuild)
        {
            var previous = _snapshot.Keys;
            var keys = new Dictionary<string, RemoteJsonWebKeys>(StringComparer.Ordinal);
            var byIssuer = new Dictionary<string, TrustedIssuer>(StringComparer.Ordinal);
            var ordered = new List<TrustedIssuer>();
            foreach (var issuer in issuers)
            {
                var options = new RemoteJsonWebKeysOptions { Issuer = issuer.Issuer, JwksUrl = issuer.JwksUrl, AllowHttp = issuer.AllowHttp };
                // A source dropped from the configuration is left to the collector: a request may still be inside it.
                var source = previous.TryGetValue(issuer.Issuer, out var kept) && kept.Options == options
                    ? kept
                    : new RemoteJsonWebKeys(options, _http, _time, _logger);
                keys[issuer.Issuer] = source;
                var trusted = new TrustedIssuer(issuer.Issuer, source)
                {
                    Audience = issuer.Audience,
                    TenantClaim = issuer.TenantClaim,
                    Tenant = issuer.Tenant,
                    Scopes = issuer.Scopes,
                };
                byIssuer[issuer.Issuer] = trusted;
                ordered.Add(trusted);
            }

            _snapshot = new Snapshot(ordered, byIssuer, keys);
        }
    }

    private sealed record Snapshot(IReadOnlyList<TrustedIssuer> Ordered, IReadOnlyDictionary<string, TrustedIssuer> ByIssuer, IReadOnlyDictionary<string, RemoteJsonWebKeys> Keys);
}
