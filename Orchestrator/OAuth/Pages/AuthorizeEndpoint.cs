using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Smcp.Orchestrator.OAuth.Users;
using Smcp.Proxy.Limits;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary><c>GET {issuer}/authorize</c> (the request, answered with the sign-in page) and <c>POST {issuer}/authorize</c> (the sign-in form).</summary>
internal sealed class AuthorizeEndpoint(
    OAuthPageSite site,
    AuthorizeRequestValidator validator,
    ClientDirectory clients,
    PendingRequestProtector protector,
    UserSignIn signIn,
    SignInLimiter limiter,
    PreAuthLimiter preAuth,
    IAntiforgery antiforgery,
    ILogger<AuthorizeEndpoint> logger)
{
    /// <summary>The one answer to every failed sign-in, whatever failed: it must not tell which accounts exist.</summary>
    public const string WrongCredentials = "Wrong email or password, or the account is locked for a while after too many attempts. Try again later.";

    public async Task<Results<ContentHttpResult, RedirectHttpResult>> GetAsync(HttpContext context, string tenant)
    {
        if (!site.IsServed(tenant))
        {
            return OAuthPageResults.NotFound(context);
        }

        // Anyone may send this request, and each one may read the database or fetch a client's metadata document:
        // it pays from the caller's pre-authentication budget, as /token and an unknown credential do.
        if (preAuth.TryAcquire(context.Connection.RemoteIpAddress) is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return OAuthPageResults.Error(context, StatusCodes.Status429TooManyRequests, "Too many requests",
                "Too many requests came from your address. Wait a moment, then try again.");
        }

        var verdict = await validator.ValidateAsync(tenant, site.BaseUrl(context.Request), context.Request.Query, context.RequestAborted);
        switch (verdict.Outcome)
        {
            case AuthorizeOutcome.ShowError:
                OAuthPagesLog.RequestShownError(logger, tenant, Truncated(context.Request.Query["client_id"].ToString()), verdict.Description!);
                return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "This sign-in link is not valid", verdict.Description!);
            case AuthorizeOutcome.RedirectError:
                OAuthPagesLog.RequestRedirectedError(logger, tenant, Truncated(context.Request.Query["client_id"].ToString()), verdict.Error!);
                return OAuthPageResults.Redirect(context, AuthorizationResponse.Error(
                    verdict.RedirectUri!, verdict.Error!, verdict.Description!, verdict.State, site.Issuer(context.Request, tenant)));
        }

        var request = verdict.Request!;
        return SignInPage(context, tenant, StatusCodes.Status200OK, verdict.Client!, request, protector.ProtectSignIn(tenant, request), problem: null);
    }

    public async Task<ContentHttpResult> PostAsync(HttpContext context, string tenant)
    {
        if (!site.IsServed(tenant))
        {
            return OAuthPageResults.NotFound(context);
        }

        var address = context.Connection.RemoteIpAddress;
        if (limiter.TryAcquire(address) is { } wait)
        {
            OAuthPagesLog.SignInLimited(logger, address, wait);
            context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return OAuthPageResults.Error(context, StatusCodes.Status429TooManyRequests, "Too many sign-in attempts",
                "Too many sign-in attempts came from your address. Wait a minute, then try again.");
        }

        var posted = await PostedForm.ReadAsync(context, antiforgery);
        if (posted.Form is null)
        {
            OAuthPagesLog.FormRefused(logger, "sign-in", tenant, address, posted.Problem!);
            return OAuthPageResults.Error(context, posted.StatusCode, "Sign-in cannot continue", posted.Problem!);
        }

        var blob = posted.Field(OAuthPageWriter.RequestField);
        if (protector.UnprotectSignIn(tenant, blob) is not { } request)
        {
            OAuthPagesLog.FormRefused(logger, "sign-in", tenant, address, "sealed request missing, expired, or not this tenant's");
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Sign-in cannot continue",
                "This sign-in page has expired or is not valid. Go back to the application and start again.");
        }

        var lookup = await clients.FindAsync(tenant, request.ClientId, context.RequestAborted);
        if (lookup.Client is not { } client || !client.RedirectUris.Contains(request.RedirectUri, StringComparer.Ordinal))
        {
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Sign-in cannot continue", "The application is no longer registered here.");
        }

        if (!site.SignIn(tenant).Passwords)
        {
            OAuthPagesLog.FormRefused(logger, "sign-in", tenant, address, "password sign-in is off for the tenant");
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Sign-in cannot continue",
                "This tenant does not sign in with passwords. Go back to the application, start again, and use the other sign-in.");
        }

        var userId = await signIn.CheckAsync(
            tenant, posted.Field(OAuthPageWriter.UsernameField) ?? "", posted.Field(OAuthPageWriter.PasswordField) ?? "", context.RequestAborted);
        if (userId is not { } user)
        {
            OAuthPagesLog.SignInRefused(logger, tenant, address);
            return SignInPage(context, tenant, StatusCodes.Status400BadRequest, client, request, blob!, WrongCredentials);
        }

        var tokens = antiforgery.GetAndStoreTokens(context);
        return OAuthPageResults.Html(context, StatusCodes.Status200OK, OAuthPageWriter.Consent(
            site.FormAction(context.Request, tenant, OAuthNames.ConsentPath), client, request, tokens, protector.ProtectConsent(tenant, new ConsentTicket(request, user, posted.Browser!))));
    }

    private ContentHttpResult SignInPage(HttpContext context, string tenant, int statusCode, OAuthClient client, AuthorizationRequest request, string blob, string? problem)
    {
        var signIn = site.SignIn(tenant);
        var upstream = signIn.Upstream is { } provider ? (provider.DisplayName, site.FormAction(context.Request, tenant, OAuthNames.UpstreamPath)) : ((string, string)?)null;
        return OAuthPageResults.Html(context, statusCode, OAuthPageWriter.SignIn(
            site.FormAction(context.Request, tenant, OAuthNames.AuthorizePath), client, request, antiforgery.GetAndStoreTokens(context), blob, problem, signIn.Passwords, upstream));
    }

    // A client_id from the query is logged only when short, so a hostile one cannot flood the log line, and with its
    // control characters as '?', so a line break or a terminal escape in it cannot forge or hide a log line.
    internal static string? Truncated(string clientId)
    {
        var shown = clientId.Length <= 256 ? clientId : clientId[..256] + "…";
        return shown.Any(char.IsControl) ? new string([.. shown.Select(c => char.IsControl(c) ? '?' : c)]) : shown;
    }
}
