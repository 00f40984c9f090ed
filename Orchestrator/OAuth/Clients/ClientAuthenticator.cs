using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>The client a <c>/token</c> or <c>/revoke</c> request comes from, or why it is refused.</summary>
internal sealed record ClientAuthentication(OAuthClient? Client, OAuthError? Error);

/// <summary>
/// Authenticates the client of a token or revocation request (RFC 6749 section 2.3): a confidential client with its secret,
/// by HTTP Basic or in the form, on every request; a public client names itself with <c>client_id</c> and sends no secret.
/// </summary>
/// <remarks>Secrets are kept as SHA-256 and compared in constant time. One method per request: Basic and a form secret together are refused.</remarks>
internal sealed class ClientAuthenticator(ClientDirectory directory)
{
    public async Task<ClientAuthentication> AuthenticateAsync(string tenant, HttpRequest request, OAuthForm form, CancellationToken cancellationToken)
    {
        var formId = form["client_id"];
        var formSecret = form["client_secret"];
        string? clientId = formId;
        string? secret = formSecret;
        var header = request.Headers.Authorization.ToString();
        var basic = header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);
        if (basic)
        {
            if (formSecret is not null)
            {
                return Refuse(OAuthError.InvalidRequest("Authenticate one way: HTTP Basic or client_secret in the form, not both."));
            }

            if (ParseBasic(header["Basic ".Length..]) is not { } credentials)
            {
                return Refuse(OAuthError.InvalidClient("The Authorization header is not HTTP Basic of client_id:client_secret."));
            }

            if (formId is not null && formId != credentials.Id)
            {
                return Refuse(OAuthError.InvalidClient("The client_id in the form is not the one in the Authorization header."));
            }

            (clientId, secret) = credentials;
        }

        if (clientId is null)
        {
            return Refuse(OAuthError.InvalidClient("Name the client: client_id in the form, or HTTP Basic for a confidential client."));
        }

        var lookup = await directory.FindAsync(tenant, clientId, cancellationToken);
        if (lookup.Client is not { } client)
        {
            return Refuse(OAuthError.InvalidClient(lookup.Error ?? "Unknown client."));
        }

        if (client.AuthMethod == ClientKinds.NoAuth)
        {
            return secret is null && !basic
                ? new ClientAuthentication(client, null)
                : Refuse(OAuthError.InvalidClient("This client is public (token_endpoint_auth_method none): it sends no secret."));
        }

        if (secret is null || client.SecretHash is not { } expected
            || !CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(secret))))
        {
            return Refuse(OAuthError.InvalidClient("Client authentication failed."));
        }

        return new ClientAuthentication(client, null);
    }

    private static ClientAuthentication Refuse(OAuthError error) => new(null, error);

    // RFC 6749 section 2.3.1: client_id and secret are each form-encoded, then joined by a colon and base64-encoded.
    private static (string Id, string Secret)? ParseBasic(string encoded)
    {
        var trimmed = encoded.Trim();
        var bytes = new byte[(trimmed.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(trimmed, bytes, out var written))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, written);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        var id = WebUtility.UrlDecode(text[..colon]);
        var secret = WebUtility.UrlDecode(text[(colon + 1)..]);
        return id.Length > 0 && secret.Length > 0 ? (id, secret) : null;
    }
}
