using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Json;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Sessions;
using Smcp.Sandbox;

namespace Smcp.Proxy.Http;

/// <summary>Finds the target, applies the tenant's request and session-start limits, and opens a session on a sandbox from the warm pool.</summary>
internal sealed class SessionOpener(
    IServerCatalog catalog, SessionStore sessions, TenantBudgets budgets, IProxyRecorder recorder,
    RefusalMetrics refusals, IOptions<ProxyOptions> options, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("Smcp.Proxy.Sessions");

    /// <summary>The new session, or null after the refusal has been written.</summary>
    public async Task<McpSession?> OpenAsync(HttpContext context, SmcpPrincipal principal, string tenant, string server, bool legacy, RequestId? id)
    {
        if (await TargetAsync(context, principal, tenant, server, id).ConfigureAwait(false) is not { } target
            || !await AdmitRequestAsync(context, principal, tenant, target, "initialize", id).ConfigureAwait(false)
            || !await AdmitStartAsync(context, principal, tenant, target, id).ConfigureAwait(false))
        {
            return null;
        }

        return await OpenedAsync(context, tenant, server, id,
            () => sessions.OpenAsync(principal, tenant, server, target, legacy, context.RequestAborted)).ConfigureAwait(false);
    }

    /// <summary>
    /// The sandbox of this credential's 2026-07-28 requests to this server, after the tenant's request limit counted this one
    /// (and, when it has to be opened, its session-start limit); null after the refusal has been written.
    /// </summary>
    public async Task<McpSession?> StatelessAsync(HttpContext context, SmcpPrincipal principal, string tenant, string server, JsonRpcMessage message)
    {
        var id = message.Id;
        var method = message.Method ?? "response";

        // A live sandbox answers from memory, as a session's requests do: the catalog (database, secrets) is read only to open one.
        if (await sessions.FindForRequestAsync(sessions.Keys.CorrelationKey(principal.Id, tenant, server)).ConfigureAwait(false) is { IsStateless: true } live)
        {
            return await AdmitRequestAsync(context, principal, tenant, live.Target, method, id, live.Id).ConfigureAwait(false) ? live : null;
        }

        if (await TargetAsync(context, principal, tenant, server, id).ConfigureAwait(false) is not { } target
            || !await AdmitRequestAsync(context, principal, tenant, target, method, id).ConfigureAwait(false)
            || !await AdmitStartAsync(context, principal, tenant, target, id).ConfigureAwait(false))
        {
            return null;
        }

        return await OpenedAsync(context, tenant, server, id,
            () => sessions.StatelessAsync(principal, tenant, server, target, context.RequestAborted), StatelessProbeFailed).ConfigureAwait(false);
    }

    private const string StatelessProbeFailed =
        "The MCP server answered neither server/discover nor initialize in time, so it cannot serve protocol revision 2026-07-28 requests.";

    private async Task<McpServerTarget?> TargetAsync(HttpContext context, SmcpPrincipal principal, string tenant, string server, RequestId? id)
    {
        var (target, refusal) = await catalog.FindAsync(tenant, server, context.RequestAborted).ConfigureAwait(false);
        if (target is null)
        {
            var (status, message) = refusal == TargetRefusal.TenantSuspended
                ? (StatusCodes.Status403Forbidden, Suspended(tenant))
                : (StatusCodes.Status404NotFound, $"There is no MCP server '{server}' for tenant '{tenant}'.");
            await HttpErrors.WriteAsync(context, status, message, id).ConfigureAwait(false);
            return null;
        }

        if (!target.Tools.Admits(principal.Role))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden,
                $"A {ToolPolicy.NameOf(principal.Role)} credential may not use the MCP server '{server}': its tools.allow in smcp.yaml does not name that role.", id).ConfigureAwait(false);
            return null;
        }

        return target;
    }

    /// <summary>The session <paramref name="open"/> gave, or null after the refusal (suspended, no sandbox, no answer) has been written.</summary>
    private async Task<McpSession?> OpenedAsync(HttpContext context, string tenant, string server, RequestId? id, Func<Task<McpSession?>> open, string? nullMeans = null)
    {
        try
        {
            if (await open().ConfigureAwait(false) is { } session)
            {
                return session;
            }

            if (nullMeans is not null && catalog.IsActive(tenant))
            {
                await HttpErrors.WriteAsync(context, StatusCodes.Status502BadGateway, nullMeans, id).ConfigureAwait(false);
                return null;
            }

            await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden, Suspended(tenant), id).ConfigureAwait(false);
            return null;
        }
        catch (SandboxException ex)
        {
            Log.SandboxUnavailable(_logger, tenant, server, ex.Error);
            if (ex.Error == SandboxError.TenantLimitReached)
            {
                await HttpErrors.TooManyAsync(context, options.Value.SessionLimitRetryAfter, ex.Message, id).ConfigureAwait(false);
            }
            else
            {
                await HttpErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message, id).ConfigureAwait(false);
            }

            return null;
        }
    }

    /// <summary>The tenant's session starts per minute: every initialize that would start or take a sandbox costs one; false after a 429 has been written and counted.</summary>
    private async Task<bool> AdmitStartAsync(HttpContext context, SmcpPrincipal principal, string tenant, McpServerTarget target, RequestId? id)
    {
        if (await budgets.TryStartAsync(tenant, target.SessionStartsPerMinute, context.RequestAborted).ConfigureAwait(false) is not { } retryAfter)
        {
            return true;
        }

        await RefuseAsync(context, principal, tenant, "initialize", null, retryAfter,
            $"Tenant '{tenant}' is over its limit of {target.SessionStartsPerMinute} session starts per minute.", id).ConfigureAwait(false);
        return false;
    }

    private static string Suspended(string tenant) => $"Tenant '{tenant}' is suspended; its MCP servers cannot be used.";

    /// <summary>The tenant's requests-per-minute limit; false after a 429 has been written and audited (counted, before a session exists).</summary>
    public async Task<bool> AdmitRequestAsync(
        HttpContext context, SmcpPrincipal principal, string tenant, McpServerTarget target, string method, RequestId? id, string? sessionId = null, int messages = 1)
    {
        if (await budgets.TryRequestsAsync(tenant, target.RequestsPerMinute, messages, context.RequestAborted).ConfigureAwait(false) is not { } retryAfter)
        {
            return true;
        }

        await RefuseAsync(context, principal, tenant, method, sessionId, retryAfter,
            $"Tenant '{tenant}' is over its limit of {target.RequestsPerMinute} MCP requests per minute.", id).ConfigureAwait(false);
        return false;
    }

    /// <summary>A 429 for one of the tenant's limits: counted before a session exists, audited within one.</summary>
    private async Task RefuseAsync(
        HttpContext context, SmcpPrincipal principal, string tenant, string method, string? sessionId, TimeSpan retryAfter, string message, RequestId? id)
    {
        // Before a session exists a refusal is a count, not an audit row: refusing must not cost a database write.
        if (sessionId is null)
        {
            refusals.Refused(RefusalMetrics.RateLimited, tenant);
        }
        else
        {
            await recorder.AuditAsync(new McpAuditEvent(tenant, principal.Id, sessionId, method, null, RefusalMetrics.RateLimited, 0, context.Request.ContentLength ?? 0, 0), context.RequestAborted)
                .ConfigureAwait(false);
        }

        await HttpErrors.TooManyAsync(context, retryAfter, message, id).ConfigureAwait(false);
    }
}
