using System.Security.Cryptography;
using System.Text;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
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
internal sealed class CredentialValidator(AdminKey admin, ApiKeyStore keys) : ICredentialValidator
{
    public async Task<SmcpPrincipal?> ValidateAsync(string bearerToken, CancellationToken cancellationToken)
    {
        if (admin.Matches(bearerToken))
        {
            return new SmcpPrincipal("admin", null, SmcpRole.PlatformAdmin);
        }

        var tenant = ApiKeyFormat.TenantOf(bearerToken);
        if (tenant is null)
        {
            return null;
        }

        var hash = ApiKeyFormat.Hash(bearerToken);
        var row = await keys.FindActiveByHashAsync(tenant, hash, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var role = row.Role switch
        {
            ApiKeyRoles.TenantAdmin => SmcpRole.TenantAdmin,
            ApiKeyRoles.TenantUser => SmcpRole.TenantUser,
            _ => SmcpRole.ReadOnly,
        };
        return new SmcpPrincipal("key:" + row.Id.ToString("N"), tenant, role);
    }
}
