using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary><c>POST {issuer}/register</c> (RFC 7591): open dynamic registration of code-flow clients, rate-limited per address and capped per tenant.</summary>
/// <remarks>A confidential client's secret is returned once and kept as its SHA-256.</remarks>
internal sealed class RegistrationEndpoint(
    OAuthIssuers issuers, RegistrationLimiter limiter, ClientStore store, OAuthAudit audit, IOptions<OAuthServerOptions> options,
    ILogger<RegistrationEndpoint> logger)
{
    public async Task<IResult> PostAsync(HttpContext context, string tenant)
    {
        var cancellationToken = context.RequestAborted;
        if (issuers.Find(context.Request, tenant) is not { } issuer)
        {
            return OAuthError.NoSuchIssuer(tenant).ToResult();
        }

        if (limiter.TryAcquire(context.Connection.RemoteIpAddress) is { } wait)
        {
            return new OAuthError("temporarily_unavailable", "Too many registrations from this address (or from everyone at once); retry after Retry-After seconds.",
                StatusCodes.Status429TooManyRequests) { RetryAfter = wait }.ToResult();
        }

        if (!context.Request.HasJsonContentType())
        {
            return Refuse("Send the client metadata as JSON (Content-Type: application/json).");
        }

        var (body, refusal) = await BoundedBody.ReadAsync(context.Request, OAuthNames.InvalidClientMetadata, cancellationToken);
        if (body is null)
        {
            return refusal!.ToResult();
        }

        ClientRegistrationRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(body, OAuthJsonContext.Default.ClientRegistrationRequest);
        }
        catch (JsonException)
        {
            return Refuse("The body is not a JSON object of client metadata with the types RFC 7591 gives them.");
        }

        if (request is null)
        {
            return Refuse("The body is not a JSON object of client metadata.");
        }

        var (registration, error) = RegistrationRules.Validate(request);
        if (error is not null)
        {
            return error.ToResult();
        }

        var clientId = "smcp-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var secret = registration!.AuthMethod == ClientKinds.NoAuth ? null : Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var limit = options.Value.MaxRegisteredClientsPerTenant;
        var issuedAt = await store.RegisterAsync(
            issuer.Tenant, clientId, registration, secret is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(secret)), limit, cancellationToken);
        if (issuedAt is not { } at)
        {
            return Refuse($"This tenant has {limit} registered clients, as many as it may have; ask its admin to remove unused ones.");
        }

        OAuthLog.ClientRegistered(logger, issuer.Tenant, clientId, registration.AuthMethod);
        await audit.RecordAsync(issuer.Tenant, null, OAuthAudit.ClientRegistered, clientId, "ok");
        var response = new ClientRegistrationResponse
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientIdIssuedAt = at.ToUnixTimeSeconds(),
            ClientSecretExpiresAt = secret is null ? null : 0,
            RedirectUris = registration.RedirectUris,
            GrantTypes = registration.GrantTypes,
            ResponseTypes = ["code"],
            TokenEndpointAuthMethod = registration.AuthMethod,
            ClientName = registration.Name,
            Scope = registration.Scope,
        };
        return new OAuthJsonResult<ClientRegistrationResponse>(response, OAuthJsonContext.Default.ClientRegistrationResponse, StatusCodes.Status201Created);
    }

    private static IResult Refuse(string description) => new OAuthError(OAuthNames.InvalidClientMetadata, description).ToResult();
}
