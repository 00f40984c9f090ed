using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Guard;

namespace Smcp.Orchestrator.Api;

internal sealed record PinsResponse(string Server, PinSetResponse? Approved, PendingPinsResponse? Pending);

/// <param name="Findings">The tool-definition scan's findings on the pinned tools (README: Tool-definition scanning).</param>
internal sealed record PinSetResponse(
    string Version, string ListingHash, DateTimeOffset RecordedAt, string? ApprovedBy, IReadOnlyList<PinnedToolResponse> Tools, IReadOnlyList<PinFinding> Findings);

internal sealed record PinnedToolResponse(string Name, string Hash);

/// <summary>The pending change: the listing that differs from the approved pins, tool by tool, old and new canonical JSON.</summary>
/// <param name="Findings">The tool-definition scan's findings on the pending listing's tools: what approving would trust.</param>
internal sealed record PendingPinsResponse(string Version, string ListingHash, DateTimeOffset RecordedAt, IReadOnlyList<PinDiffEntry> Diff, IReadOnlyList<PinFinding> Findings);

/// <summary>One finding of the tool-definition scan on a pinned or pending tool.</summary>
/// <param name="Pointer">Where in the tool's canonical JSON, as a JSON pointer (e.g. <c>/description</c>).</param>
internal sealed record PinFinding(string Tool, string Rule, string Severity, string Pointer, string Excerpt);

/// <param name="Change"><c>added</c>, <c>removed</c>, <c>renamed</c> or <c>changed</c>.</param>
/// <param name="From">The pinned name of a renamed tool.</param>
/// <param name="Old">The pinned canonical JSON; null for an added tool, or when it was over 64 KiB.</param>
/// <param name="New">The listed canonical JSON; null for a removed tool, or when it is over 64 KiB.</param>
internal sealed record PinDiffEntry(string Change, string Name, string? From, string? Old, string? New);

internal sealed record ApprovePinsRequest(string? ListingHash);

/// <summary><c>/v1/tenants/{tenant}/servers/{server}/pins</c>: a server's tool pins and pending change; approval (tenant admin).</summary>
internal static class PinsApi
{
    public static void MapPins(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/servers/{server}/pins", GetAsync).WithSummary("Read a server's approved tool pins and its pending change, with a diff of old and new");
        tenant.MapPost("/servers/{server}/pins/approve", ApproveAsync).WithSummary("Approve the pending change: its listing becomes the server's pins");
    }

    private static async Task<IResult> GetAsync(string tenant, string server, ToolPinStore pins, CancellationToken ct)
    {
        if (!TenantId.IsValid(server))
        {
            return Problems.BadRequest($"'{server}' is not a valid server name: lowercase letters, digits and '-', at most 63.");
        }

        var (approved, pending) = await pins.GetAsync(tenant, server, ct).ConfigureAwait(false);
        if (approved is null && pending is null)
        {
            return Problems.NotFound($"Server '{server}' has no tool pins yet: they are recorded when a session first lists its tools.");
        }

        return Results.Ok(new PinsResponse(server, approved is null ? null : ToResponse(approved), pending is null ? null : ToPending(approved, pending)));
    }

    private static async Task<IResult> ApproveAsync(string tenant, string server, ApprovePinsRequest? request, HttpContext context, ToolPinStore pins, CancellationToken ct)
    {
        if (!TenantId.IsValid(server))
        {
            return Problems.BadRequest($"'{server}' is not a valid server name: lowercase letters, digits and '-', at most 63.");
        }

        var result = await pins.ApproveAsync(tenant, server, request?.ListingHash, context.Principal().Id, ct).ConfigureAwait(false);
        if (result.Outcome == StoreOutcome.NotFound)
        {
            return Problems.NotFound($"Server '{server}' has no pending tool change to approve.");
        }

        if (result.Outcome == StoreOutcome.Conflict)
        {
            await context.RecordAsync(tenant, "tool.pin.approve", server, "conflict").ConfigureAwait(false);
            return Problems.Conflict("The pending change is not the listing named by listingHash (the server listed another one since); read the pins again.");
        }

        await context.RecordAsync(tenant, "tool.pin.approve", server, "ok").ConfigureAwait(false);
        return Results.Ok(ToResponse(result.Value!));
    }

    private static PinSetResponse ToResponse(PinSetRow row) =>
        new(row.Version, row.ListingHash, row.RecordedAt, row.ApprovedBy, row.Tools.Select(t => new PinnedToolResponse(t.Name, t.Hash)).ToList(), FindingsOf(row));

    /// <summary>The scan of the set's tools as kept; a tool over the 64 KiB kept for the diff is not scanned (its listing was, when it passed).</summary>
    private static List<PinFinding> FindingsOf(PinSetRow row)
    {
        var kept = row.Tools.Where(t => t.Canonical is not null).ToList();
        return ToolDefinitionScan.Scan(kept.ConvertAll(t => t.Canonical!))
            .Select(f => new PinFinding(f.Tool >= 0 ? kept[f.Tool].Name : "", f.Rule, f.Severity, f.Pointer, f.Excerpt))
            .ToList();
    }

    /// <summary>The pending change tool by tool: old and new canonical JSON side by side.</summary>
    public static PendingPinsResponse ToPending(PinSetRow? approved, PinSetRow pending)
    {
        var old = (approved?.Tools ?? []).GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Canonical, StringComparer.Ordinal);
        var listed = pending.Tools.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Canonical, StringComparer.Ordinal);
        var changes = pending.Changes;
        var diff = new List<PinDiffEntry>();
        diff.AddRange(changes.Added.Select(name => new PinDiffEntry("added", name, null, null, listed.GetValueOrDefault(name))));
        diff.AddRange(changes.Removed.Select(name => new PinDiffEntry("removed", name, null, old.GetValueOrDefault(name), null)));
        diff.AddRange(changes.Renamed.Select(r => new PinDiffEntry("renamed", r.To, r.From, old.GetValueOrDefault(r.From), listed.GetValueOrDefault(r.To))));
        diff.AddRange(changes.Changed.Select(name => new PinDiffEntry("changed", name, null, old.GetValueOrDefault(name), listed.GetValueOrDefault(name))));
        return new PendingPinsResponse(pending.Version, pending.ListingHash, pending.RecordedAt, diff, FindingsOf(pending));
    }
}
