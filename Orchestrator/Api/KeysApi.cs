using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Api;

internal sealed record CreateKeyRequest(string? Name, string? Role);

internal sealed record CreatedKeyResponse(Guid Id, string Name, string Role, string Key);

internal sealed record KeyResponse(Guid Id, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary><c>/v1/tenants/{tenant}/keys</c>: a key is shown once at creation; only its SHA-256 is kept.</summary>
internal static class KeysApi
{
    public static void MapKeys(this RouteGroupBuilder tenant)
    {
        tenant.MapPost("/keys", CreateAsync).WithSummary("Create an API key (shown once); role tenant-admin, tenant-user (MCP only) or read-only");
        tenant.MapGet("/keys", ListAsync).WithSummary("List API keys, without secrets");
        tenant.MapDelete("/keys/{id:guid}", RevokeAsync).WithSummary("Revoke a key at once");
    }

    private static async Task<IResult> CreateAsync(string tenant, CreateKeyRequest? request, HttpContext context, ApiKeyStore keys, CancellationToken ct)
    {
        var role = request?.Role ?? ApiKeyRoles.TenantUser;
        if (!ApiKeyRoles.IsValid(role))
        {
            return Problems.BadRequest($"'{role}' is not a role; use {ApiKeyRoles.TenantAdmin}, {ApiKeyRoles.TenantUser} or {ApiKeyRoles.ReadOnly}.");
        }

        var name = string.IsNullOrWhiteSpace(request?.Name) ? "key-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds() : request.Name.Trim();
        if (name.Length > 100)
        {
            return Problems.BadRequest("A key's name is at most 100 characters.");
        }

        var key = ApiKeyFormat.NewKey(tenant);
        var created = await keys.CreateAsync(tenant, name, role, ApiKeyFormat.Hash(key), ct).ConfigureAwait(false);
        if (created.Value is not { } row)
        {
            return Problems.Conflict($"An active key named '{name}' already exists.");
        }

        await context.RecordAsync(tenant, "key.create", row.Id.ToString(), "ok").ConfigureAwait(false);
        return Results.Created($"/v1/tenants/{tenant}/keys/{row.Id}", new CreatedKeyResponse(row.Id, row.Name, row.Role, key));
    }

    private static async Task<IResult> ListAsync(string tenant, ApiKeyStore keys, CancellationToken ct) =>
        Results.Ok((await keys.ListAsync(tenant, ct).ConfigureAwait(false))
            .Select(k => new KeyResponse(k.Id, k.Name, k.Role, k.CreatedAt, k.RevokedAt, k.LastUsedAt)));

    private static async Task<IResult> RevokeAsync(string tenant, Guid id, HttpContext context, ApiKeyStore keys, CredentialValidator validator, CancellationToken ct)
    {
        if (!await keys.RevokeAsync(tenant, id, ct).ConfigureAwait(false))
        {
            return Problems.NotFound($"There is no active key '{id}'.");
        }

        validator.Forget(id);

        await context.RecordAsync(tenant, "key.revoke", id.ToString(), "ok").ConfigureAwait(false);
        return Results.NoContent();
    }
}
