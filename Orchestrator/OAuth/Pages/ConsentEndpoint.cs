using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary><c>POST {issuer}/consent</c>: the signed-in user allows the client (an authorization code) or denies it (<c>access_denied</c>).</summary>
internal sealed class ConsentEndpoint(
    OAuthPageSite site,
    ClientDirectory clients,
    PendingRequestProtector protector,
    AuthorizationCodeStore codes,
    ConfigMonitor config,
    IAntiforgery antiforgery,
    ILogger<ConsentEndpoint> logger)
{
    public async Task<Results<ContentHttpResult, RedirectHttpResult>> PostAsync(HttpContext context, string tenant)
    {
        if (!site.IsServed(tenant))
        {
            return OAuthPageResults.NotFound(context);
        }

        var address = context.Connection.RemoteIpAddress;
        var posted = await PostedForm.ReadAsync(context, antiforgery);
        if (posted.Form is null)
        {
            OAuthPagesLog.FormRefused(logger, "consent", tenant, address, posted.Problem!);
            return OAuthPageResults.Error(context, posted.StatusCode, "Consent cannot continue", posted.Problem!);
        }

        if (protector.UnprotectConsent(tenant, posted.Field(OAuthPageWriter.RequestField)) is not { } ticket || ticket.Browser != posted.Browser)
        {
            OAuthPagesLog.FormRefused(logger, "consent", tenant, address, "sealed consent missing, expired, or not this tenant's or this browser's");
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Consent cannot continue",
                "This consent page has expired or is not valid. Go back to the application and start again.");
        }

        var request = ticket.Request;
        var lookup = await clients.FindAsync(tenant, request.ClientId, context.RequestAborted);
        if (lookup.Client is not { } client || !client.RedirectUris.Contains(request.RedirectUri, StringComparer.Ordinal))
        {
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Consent cannot continue", "The application is no longer registered here.");
        }

        var issuer = site.Issuer(context.Request, tenant);
        if (posted.Field(OAuthPageWriter.DenyButton) is not null)
        {
            OAuthPagesLog.ConsentDenied(logger, tenant, ticket.UserId, client.ClientId);
            return OAuthPageResults.Redirect(context, AuthorizationResponse.Error(
                request.RedirectUri, OAuthNames.AccessDenied, "The user did not allow access.", request.State, issuer));
        }

        if (posted.Field(OAuthPageWriter.ApproveButton) is null)
        {
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Consent cannot continue", "Choose Allow or Deny.");
        }

        var grant = new AuthorizationGrant
        {
            ClientId = request.ClientId,
            UserId = ticket.UserId,
            RedirectUri = request.RedirectUri,
            CodeChallenge = request.CodeChallenge,
            Resource = request.Resource,
            Scope = request.Scope,
        };
        var code = await codes.CreateAsync(tenant, grant, config.Current.OAuth.CodeLifetime, context.RequestAborted);
        OAuthPagesLog.CodeIssued(logger, tenant, ticket.UserId, client.ClientId);
        return OAuthPageResults.Redirect(context, AuthorizationResponse.Code(request.RedirectUri, code, request.State, issuer));
    }
}
