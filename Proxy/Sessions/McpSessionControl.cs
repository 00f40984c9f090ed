namespace Smcp.Proxy.Sessions;

/// <summary>What the control plane may do to this proxy's live MCP sessions.</summary>
public interface IMcpSessionControl
{
    /// <summary>Ends a tenant's session and its sandbox; false when this proxy holds no such live session.</summary>
    Task<bool> EndAsync(string tenant, string sessionId, string reason);

    /// <summary>Ends every live session of a tenant (suspended or removed by the admin); returns how many.</summary>
    Task<int> EndTenantAsync(string tenant, string reason);

    /// <summary>Ends every live session of this proxy (it lost its replica lease, so others may already answer 404 for them); returns how many.</summary>
    Task<int> EndAllAsync(string reason);
}

internal sealed class McpSessionControl(SessionStore sessions) : IMcpSessionControl
{
    public async Task<bool> EndAsync(string tenant, string sessionId, string reason)
    {
        // A session id of another tenant is treated as unknown: the caller learns nothing about it.
        if (sessions.Find(sessionId) is not { } session || session.Tenant != tenant)
        {
            return false;
        }

        await session.EndAsync(reason, "The session was ended by the tenant's administrator.").ConfigureAwait(false);
        return true;
    }

    public async Task<int> EndTenantAsync(string tenant, string reason)
    {
        var ending = sessions.All.Where(s => s.Tenant == tenant && !s.IsEnded).ToList();
        await Task.WhenAll(ending.Select(s => s.EndAsync(reason, "The tenant's access was suspended by the platform admin."))).ConfigureAwait(false);
        return ending.Count;
    }

    public async Task<int> EndAllAsync(string reason)
    {
        var ending = sessions.All.Where(s => !s.IsEnded).ToList();
        await Task.WhenAll(ending.Select(s => s.EndAsync(reason, "The MCP proxy replica lost its lease; initialize a new session."))).ConfigureAwait(false);
        return ending.Count;
    }
}
