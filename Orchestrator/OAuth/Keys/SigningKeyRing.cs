using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smcp.Orchestrator.Config;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.OAuth.Keys;

/// <summary>The signing keys in memory: the key that signs, the keys published at <c>/oauth/jwks</c>, and the built-in issuers' key source.</summary>
/// <remarks>
/// Loaded at start (making the first key when there is none), re-read every <see cref="OAuthServerOptions.SigningKeyReloadInterval"/>
/// and when a token names a key id it does not know, at most once per <see cref="OAuthServerOptions.UnknownKeyReloadFloor"/>: a rotation by
/// another process is picked up within the interval, well inside the retired key's publication overlap. A retired key stays published
/// for the access-token lifetime plus <see cref="OAuthServerOptions.RetiredKeyGrace"/>, so tokens it signed stay valid until they expire.
/// </remarks>
internal sealed class SigningKeyRing(
    SigningKeyStore store, ConfigMonitor config, TimeProvider time, IOptions<OAuthServerOptions> options, ILogger<SigningKeyRing> logger)
    : BackgroundService, IJsonWebKeySource
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile SigningKeySet? _keys;

    /// <summary>The keys as last read; reads them first if this is the first use.</summary>
    public async ValueTask<SigningKeySet> KeysAsync(CancellationToken cancellationToken) =>
        _keys ?? await ReloadAsync(DateTimeOffset.MinValue, cancellationToken);

    public async ValueTask<string?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var keys = await KeysAsync(cancellationToken);
        if (keys.Published.TryGetValue(keyId, out var jwk))
        {
            return jwk;
        }

        var floor = time.GetUtcNow() - options.Value.UnknownKeyReloadFloor;
        if (keys.LoadedAt > floor)
        {
            return null;
        }

        keys = await ReloadAsync(floor, cancellationToken);
        return keys.Published.GetValueOrDefault(keyId);
    }

    /// <summary>Reads the keys now, unless another caller read them after <paramref name="unlessLoadedAfter"/> while this one waited.</summary>
    public async Task<SigningKeySet> ReloadAsync(DateTimeOffset? unlessLoadedAfter, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_keys is { } fresh && unlessLoadedAfter is { } after && fresh.LoadedAt > after)
            {
                return fresh;
            }

            var keys = await ReadAsync(cancellationToken);
            _keys = keys;
            return keys;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await KeysAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        base.Dispose();
        _gate.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SigningKeyReloadInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ReloadAsync(null, stoppingToken);
                }
                catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    OAuthLog.SigningKeysReloadFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<SigningKeySet> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var retiredAfter = now - config.Current.OAuth.AccessTokenLifetime - options.Value.RetiredKeyGrace;
        var rows = await store.LoadAsync(retiredAfter, cancellationToken);
        if (!rows.Any(r => r.RetiredAt is null))
        {
            if (await store.EnsureActiveAsync(cancellationToken))
            {
                OAuthLog.SigningKeyCreated(logger);
            }

            rows = await store.LoadAsync(retiredAfter, cancellationToken);
        }

        var current = rows.First(r => r.RetiredAt is null);
        // The private key is opened once per key, not on every re-read; a replaced one is not disposed, as a token being signed may hold it.
        var signing = _keys?.Current is { } held && held.Kid == current.Kid ? held : new SigningKey(current.Kid, store.OpenPrivateKey(current));
        var published = rows.ToDictionary(r => r.Kid, r => r.PublicJwk, StringComparer.Ordinal);
        if (_keys is { } previous && previous.Current.Kid != signing.Kid)
        {
            OAuthLog.SigningKeyChanged(logger, signing.Kid, published.Count);
        }

        return new SigningKeySet(signing, published, $$"""{"keys":[{{string.Join(',', rows.Select(r => r.PublicJwk))}}]}""", now);
    }
}
