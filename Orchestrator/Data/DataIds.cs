using Smcp.Orchestrator.Auth;

namespace Smcp.Orchestrator.Data;

/// <summary>The id rule shared by tenants and servers (<see cref="TenantId"/>), as the schema's CHECK constraints also enforce it.</summary>
internal static class DataIds
{
    /// <summary>Throws for an id no tenant or server can have: a caller that passes one has a bug.</summary>
    public static void ThrowIfInvalid(string id, string paramName)
    {
        if (!TenantId.IsValid(id))
        {
            throw new ArgumentException($"'{id}' is not a valid id (lower-case letters, digits and inner hyphens, 1-63 characters)", paramName);
        }
    }
}
