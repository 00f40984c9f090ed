using System.Text.Json;
using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Sessions;

namespace Smcp.Orchestrator.Api;

/// <param name="Detail">What else the row records, e.g. the tool-definition scan's findings on a listing (README: Tool-definition scanning).</param>
internal sealed record AuditEntry(
    long Seq, DateTimeOffset At, string? Principal, string? SessionId, string Action, string? Target, string Outcome,
    double LatencyMs, long BytesIn, long BytesOut, bool Truncated, string Hash, JsonElement? Detail);

internal sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? Next);

internal sealed record AuditVerifyResponse(bool Intact, long RowsChecked, long? BrokenAtSeq, string? Reason);

internal sealed record SessionResponse(string Id, string Server, string Principal, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);

/// <summary><c>/v1/tenants/{tenant}/audit</c> (paged, and its chain check) and the tenant's open sessions.</summary>
internal static class AuditApi
{
    private const int MaxPage = 1000;

    public static void MapAudit(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/audit", ReadAsync).WithSummary("Read the audit log in seq order; pass ?after=<next> for the next page");
        tenant.MapGet("/audit/verify", VerifyAsync).WithSummary("Walk the hash chain; report the first broken link");
        tenant.MapGet("/sessions", SessionsAsync).WithSummary("List the tenant's open MCP sessions");
        tenant.MapDelete("/sessions/{id}", EndSessionAsync).WithSummary("End an MCP session and its sandbox at once");
    }

    private static async Task<IResult> ReadAsync(string tenant, long? after, int? limit, AuditQuery audit, CancellationToken ct)
    {
        var size = Math.Clamp(limit ?? 100, 1, MaxPage);
        var rows = await audit.ReadAsync(tenant, Math.Max(0, after ?? 0), size, ct).ConfigureAwait(false);
        var entries = rows.Select(r => new AuditEntry(
            r.Seq, r.At, r.Principal, r.SessionId, r.Action, r.Target, r.Outcome, r.LatencyMs, r.BytesIn, r.BytesOut, r.Truncated,
            Convert.ToHexStringLower(r.Hash), DetailOf(r.DetailJson))).ToList();
        return Results.Ok(new AuditPage(entries, entries.Count == size ? entries[^1].Seq : null));
    }

    private static JsonElement? DetailOf(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static async Task<IResult> VerifyAsync(string tenant, AuditVerifier verifier, CancellationToken ct)
    {
        var result = await verifier.VerifyAsync(tenant, ct).ConfigureAwait(false);
        return Results.Ok(new AuditVerifyResponse(result.IsIntact, result.RowsChecked, result.FirstBreak?.Seq, result.FirstBreak?.Reason));
    }

    private static async Task<IResult> EndSessionAsync(string tenant, string id, HttpContext context, IMcpSessionControl control)
    {
        if (!await control.EndAsync(tenant, id, "ended through the API").ConfigureAwait(false))
        {
            return Problems.NotFound("There is no open session with that id.");
        }

        await context.RecordAsync(tenant, "session.end", null, "ok").ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> SessionsAsync(string tenant, SessionStore sessions, CancellationToken ct) =>
        Results.Ok((await sessions.ListOpenAsync(tenant, ct).ConfigureAwait(false))
            .Select(s => new SessionResponse(s.Id, s.Server, s.Principal, s.CreatedAt, s.LastSeenAt)));
}
