using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Auth;

/// <summary>The platform admin's key from <c>SMCP_ADMIN_KEY</c>; only its hash is held.</summary>
internal sealed class AdminKey(string? key)
{
    public const string Variable = "SMCP_ADMIN_KEY";

    private readonly byte[]? _hash = string.IsNullOrEmpty(key) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static AdminKey FromEnvironment() => new(Environment.GetEnvironmentVariable(Variable));

    public bool Matches(string presented) =>
        _hash is not null && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}

/// <summary>
/// Checks API keys: the tenant named in the key picks the row-level security context, the SHA-256
/// is looked up there and compared in constant time. The tenant always comes from the credential.
/// </summary>
/// <remarks>
/// A valid key is remembered for <see cref="CacheFor"/>, so the MCP hot path makes no database round
/// trip per message; revoking through this process forgets it at once, and a revocation made by
/// another SMCP process takes effect within that time. Every lookup that could reach the database
/// first takes a token from the caller's pre-authentication budget (<see cref="PreAuthLimiter"/>), so
/// random keys cost the database no more than that budget; a remembered key never pays, and a key that was
/// valid within <see cref="KnownFor"/> is re-checked without waiting for that budget, so a flood of guesses
/// that empties it cannot lock real clients out when their key's cache entry lapses.
/// </remarks>
internal sealed class CredentialValidator(AdminKey admin, ApiKeyStore keys, PreAuthLimiter preAuth, TimeProvider time) : ICredentialValidator
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    /// <summary>How long after its cache entry lapses a key still counts as known (not a guess) for the pre-authentication budget.</summary>
    /// <remarks>Only a key the database confirmed gets an entry, so what this exempts is bounded by the number of real keys.</remarks>
    public static readonly TimeSpan KnownFor = TimeSpan.FromHours(1);

    /// <summary>Unknown keys remembered at most this many at once, so guessing costs no database work and little memory.</summary>
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, (SmcpPrincipal Principal, DateTimeOffset Until)> _valid = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);

    public async Task<CredentialCheck> ValidateAsync(string bearerToken, IPAddress? client, CancellationToken cancellationToken)
    {
        if (admin.Matches(bearerToken))
        {
            return CredentialCheck.Valid(new SmcpPrincipal("admin", null, SmcpRole.PlatformAdmin));
        }

        var tenant = ApiKeyFormat.TenantOf(bearerToken);
        if (tenant is null)
        {
            return CredentialCheck.Invalid;
        }

        var hash = ApiKeyFormat.Hash(bearerToken);
        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        var known = false;
        if (_valid.TryGetValue(cacheKey, out var cached))
        {
            if (cached.Until > now)
            {
                return CredentialCheck.Valid(cached.Principal);
            }

            known = cached.Until + KnownFor > now;
        }

        // A new key's hash was never seen before, so remembering unknown hashes cannot refuse a real key.
        if (_unknown.TryGetValue(cacheKey, out var until) && until > now)
        {
            return CredentialCheck.Invalid;
        }

        if (!known && preAuth.TryAcquire(client) is { } retryAfter)
        {
            return CredentialCheck.Throttled(retryAfter);
        }

        var row = await keys.FindActiveByHashAsync(tenant, hash, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            _valid.TryRemove(cacheKey, out _);
            if (_unknown.Count >= MaxRemembered)
            {
                _unknown.Clear();
            }

            _unknown[cacheKey] = now + CacheFor;
            return CredentialCheck.Invalid;
        }

        var role = row.Role switch
        {
            ApiKeyRoles.TenantAdmin => SmcpRole.TenantAdmin,
            ApiKeyRoles.TenantUser => SmcpRole.TenantUser,
            _ => SmcpRole.ReadOnly,
        };
        var principal = new SmcpPrincipal(PrincipalId(row.Id), tenant, role);
        _valid[cacheKey] = (principal, now + CacheFor);
        // At most once per cache period per key: last use is for the tenant's key list, not an audit.
        await keys.TouchAsync(tenant, row.Id, cancellationToken).ConfigureAwait(false);
        return CredentialCheck.Valid(principal);
    }

    /// <summary>Forgets a revoked key at once.</summary>
    public void Forget(Guid keyId)
    {
        var id = PrincipalId(keyId);
        foreach (var entry in _valid.Where(e => e.Value.Principal.Id == id))
        {
            _valid.TryRemove(entry.Key, out _);
        }
    }

    private static string PrincipalId(Guid keyId) => "key:" + keyId.ToString("N");
}
