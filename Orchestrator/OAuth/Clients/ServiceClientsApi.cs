using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Smcp.Orchestrator.Api;
using Smcp.Orchestrator.OAuth.Tokens;

namespace Smcp.Orchestrator.OAuth.Clients;

internal sealed record CreateServiceClientRequest(string? Name, string? AuthMethod, string? Scope);

internal sealed record CreatedServiceClientResponse(string ClientId, string ClientSecret, string? Name, string AuthMethod, string Scope, DateTimeOffset CreatedAt);

/// <summary><c>/v1/tenants/{tenant}/oauth/clients</c>: a tenant admin makes service clients (client_credentials) and sees and revokes every client.</summary>
/// <remarks>A service client's secret is shown once at creation; only its SHA-256 is kept.</remarks>
internal static class ServiceClientsApi
{
    public const string Path = "/v1/tenants/{tenant}/oauth/clients";

    public static void MapServiceClients(this IEndpointRouteBuilder endpoints)
    {
        var clients = endpoints.MapGroup(Path).AddEndpointFilter(ApiAccess.TenantFilter);
        clients.MapPost("", CreateAsync).WithSummary("Create a service client for client_credentials (its secret is shown once)");
        clients.MapGet("", ListAsync).WithSummary("List the tenant's OAuth clients, registered and service, without secrets");
        clients.MapDelete("/{clientId}", RevokeAsync).WithSummary("Revoke a client at once: it can no longer get or refresh tokens");
    }

    private static async Task<IResult> CreateAsync(string tenant, CreateServiceClientRequest? request, HttpContext context, ClientStore store, CancellationToken cancellationToken)
    {
        var authMethod = request?.AuthMethod ?? ClientKinds.SecretBasic;
        if (authMethod is not (ClientKinds.SecretBasic or ClientKinds.SecretPost))
        {
            return Problems.BadRequest($"authMethod is {ClientKinds.SecretBasic} or {ClientKinds.SecretPost}: a service client always has a secret.");
        }

        var scope = request?.Scope ?? OAuthNames.McpScope;
        if (ScopeSet.Parse(scope) is not { } tokens || tokens.Any(t => t != OAuthNames.McpScope))
        {
            return Problems.BadRequest("scope is 'mcp', the one scope a service client can have.");
        }

        var name = string.IsNullOrWhiteSpace(request?.Name) ? null : request.Name.Trim();
        if (name is { Length: > RegistrationRules.MaxNameLength } || (name?.Any(char.IsControl) ?? false))
        {
            return Problems.BadRequest($"A client's name is at most {RegistrationRules.MaxNameLength} characters, none of them control characters.");
        }

        var clientId = "svc-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var createdAt = await store.CreateServiceAsync(tenant, clientId, name, authMethod, scope, SHA256.HashData(Encoding.UTF8.GetBytes(secret)), cancellationToken);
        await context.RecordAsync(tenant, "oauth-client.create", clientId, "ok");
        return Results.Created($"/v1/tenants/{tenant}/oauth/clients/{clientId}", new CreatedServiceClientResponse(clientId, secret, name, authMethod, scope, createdAt));
    }

    private static async Task<IResult> ListAsync(string tenant, ClientStore store, CancellationToken cancellationToken) =>
        Results.Ok(await store.ListAsync(tenant, cancellationToken));

    private static async Task<IResult> RevokeAsync(string tenant, string clientId, HttpContext context, ClientStore store, CancellationToken cancellationToken)
    {
        if (!ClientDirectory.IsPlausibleId(clientId) || !await store.RevokeAsync(tenant, clientId, cancellationToken))
        {
            return Problems.NotFound("There is no unrevoked client by that id.");
        }

        await context.RecordAsync(tenant, "oauth-client.revoke", clientId, "ok");
        return Results.NoContent();
    }
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateServiceClientRequest))]
[JsonSerializable(typeof(CreatedServiceClientResponse))]
[JsonSerializable(typeof(List<ClientSummary>))]
internal sealed partial class ServiceClientsJsonContext : JsonSerializerContext;
