using System.Text.Json.Serialization;
using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Logs;

namespace Smcp.Orchestrator.Api;

internal sealed record ServerLogsResponse(string Server, IReadOnlyList<ServerLogResponse> Sessions);

/// <param name="EndedAt">Null while the session is live: written as <c>null</c>, never left out.</param>
internal sealed record ServerLogResponse(
    string Session, DateTimeOffset StartedAt, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? EndedAt,
    long TotalBytes, long DroppedBytes, string Text);

/// <summary><c>/v1/tenants/{tenant}/servers/{server}/logs</c>: what the server's sandboxes wrote to stderr (tenant admin only).</summary>
/// <remarks>A read is not an audit row, as no other read is; the text holds no secret of the server's (they are redacted).</remarks>
internal static class LogsApi
{
    public static void MapLogs(this RouteGroupBuilder tenant) =>
        tenant.MapGet("/servers/{server}/logs", ReadAsync)
            .WithSummary("Read what a server's sandboxes wrote to stderr: its live sessions and the most recently ended ones, newest first");

    private static async Task<IResult> ReadAsync(
        string tenant, string server, string? session, HttpContext context, ServerStore servers, IServerLogs logs, CancellationToken ct)
    {
        // The tenant filter lets every GET through to read-only keys: a server's stderr is a tenant admin's, as its secrets are.
        if (!context.Principal().MayManage(tenant))
        {
            return Problems.Forbidden("A server's logs can be read with a tenant-admin key only.");
        }

        if (!TenantId.IsValid(server))
        {
            return Problems.BadRequest($"'{server}' is not a valid server name: lowercase letters, digits and '-', at most 63.");
        }

        if (await servers.GetAsync(tenant, server, ct).ConfigureAwait(false) is null)
        {
            return Problems.NotFound($"There is no server '{server}'.");
        }

        var sessions = logs.Read(tenant, server, session);
        if (session is not null && sessions.Count == 0)
        {
            return Problems.NotFound($"Server '{server}' has no log of session '{session}': it is not live and not among the most recently ended ones kept.");
        }

        return Results.Ok(new ServerLogsResponse(server, [.. sessions.Select(s => new ServerLogResponse(
            s.Session, s.StartedAt, s.EndedAt, s.TotalBytes, s.DroppedBytes, s.Text))]));
    }
}
