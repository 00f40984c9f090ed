using System.Text.Json.Serialization;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.OAuth.Clients;

namespace Smcp.Orchestrator.Api;

internal sealed record CreateServiceClientRequest([property: JsonPropertyName("name")] string? Name);

/// <summary>A new service client, with its secret: the only time the secret is shown.</summary>
internal sealed record CreatedServiceClientResponse(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("client_secret")] string ClientSecret,
    [property: JsonPropertyName("client_name")] string? ClientName,
    [property: JsonPropertyName("grant_types")] IReadOnlyList<string> GrantTypes,
    [property: JsonPropertyName("token_endpoint_auth_method")] string TokenEndpointAuthMethod,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

internal sealed record ServiceClientResponse(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("client_name")] string? ClientName,
    [property: JsonPropertyName("grant_types")] IReadOnlyList<string> GrantTypes,
    [property: JsonPropertyName("token_endpoint_auth_method")] string TokenEndpointAuthMethod,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("revoked_at")] DateTimeOffset? RevokedAt);

/// <summary><c>/v1/tenants/{tenant}/oauth/clients</c>: service clients for <c>client_credentials</c>; a secret is shown once at creation, only its SHA-256 is kept.</summary>
internal static class OAuthClientsApi
{
    public const int MaxNameLength = 100;

    public static void MapOAuthClients(this RouteGroupBuilder tenant)
    {
        tenant.MapPost("/oauth/clients", CreateAsync)
            .WithSummary("Create an OAuth service client for client_credentials (its secret is shown once)")
            .Produces<CreatedServiceClientResponse>(StatusCodes.Status201Created);
        tenant.MapGet("/oauth/clients", ListAsync)
            .WithSummary("List OAuth service clients, without secrets")
            .Produces<IEnumerable<ServiceClientResponse>>();
        tenant.MapDelete("/oauth/clients/{clientId}", RevokeAsync)
            .WithSummary("Revoke an OAuth service client at once")
            .Produces(StatusCodes.Status204NoContent);
    }

    private static async Task<IResult> CreateAsync(string tenant, CreateServiceClientRequest? request, HttpContext context, ServiceClientStore clients, CancellationToken cancellationToken)
    {
        var name = request?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            return Problems.BadRequest($"A service client needs a name of 1 to {MaxNameLength} characters, without control characters.");
        }

        var (clientId, secret) = ServiceClientStore.NewCredentials();
        var created = await clients.CreateAsync(tenant, clientId, name, ServiceClientStore.HashSecret(secret), cancellationToken);
        if (created.Value is not { } row)
        {
            if (created.Outcome == StoreOutcome.QuotaExceeded)
            {
                await context.RecordAsync(tenant, "oauth-client.create", null, "quota");
                return Problems.Conflict($"The tenant already has {ServiceClientStore.MaxActivePerTenant} active service clients; revoke one first.");
            }

            return created.Outcome == StoreOutcome.MissingReference
                ? Problems.ServiceUnavailable("The tenant is still being set up; retry in a moment.")
                : Problems.Conflict("A client with that id already exists; retry.");
        }

        await context.RecordAsync(tenant, "oauth-client.create", row.ClientId, "ok");
        return TypedResults.Created(
            $"/v1/tenants/{tenant}/oauth/clients/{row.ClientId}",
            new CreatedServiceClientResponse(row.ClientId, secret, row.Name, row.GrantTypes, row.AuthMethod, row.CreatedAt));
    }

    private static async Task<IResult> ListAsync(string tenant, ServiceClientStore clients, CancellationToken cancellationToken) =>
        TypedResults.Ok((await clients.ListAsync(tenant, cancellationToken))
            .Select(c => new ServiceClientResponse(c.ClientId, c.Name, c.GrantTypes, c.AuthMethod, c.CreatedAt, c.RevokedAt)));

    private static async Task<IResult> RevokeAsync(string tenant, string clientId, HttpContext context, ServiceClientStore clients, CancellationToken cancellationToken)
    {
        if (clientId.Length > 64 || !await clients.RevokeAsync(tenant, clientId, cancellationToken))
        {
            return Problems.NotFound("There is no active service client with that id.");
        }

        await context.RecordAsync(tenant, "oauth-client.revoke", clientId, "ok");
        return TypedResults.NoContent();
    }
}
