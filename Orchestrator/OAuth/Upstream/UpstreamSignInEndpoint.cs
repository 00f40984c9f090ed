using System.Security.Cryptography;
using System.Text;
using Duende.IdentityModel.Client;
using Duende.IdentityModel.OidcClient;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth.Pages;
using Smcp.Proxy.Limits;

namespace Smcp.Orchestrator.OAuth.Upstream;

/// <summary>
/// <c>POST {issuer}/upstream</c> (the sign-in page's "sign in with" form: off to the tenant's provider) and
/// <c>GET {issuer}/upstream/callback</c> (back from it: the consent page for the user it vouched for).
/// </summary>
/// <remarks>
/// Code flow with PKCE, <c>state</c> and <c>nonce</c> by the OIDC client library. What the callback needs is sealed into
/// a cookie of this browser, for this tenant, for <see cref="PendingRequestProtector.Lifetime"/>: a callback link
/// opened in another browser (login CSRF) finds no cookie, a replayed one a spent state. RFC 9207's <c>iss</c> is
/// checked when the provider sends it, so a response from another provider (mix-up) is refused.
/// </remarks>
internal sealed class UpstreamSignInEndpoint(
    OAuthPageSite site,
    ClientDirectory clients,
    PendingRequestProtector protector,
    UpstreamClients upstream,
    UpstreamIdentities identities,
    SpentStates spent,
    OAuthAudit audit,
    PreAuthLimiter preAuth,
    IAntiforgery antiforgery,
    ILogger<UpstreamSignInEndpoint> logger)
{
    /// <summary>The cookie carrying the pending sign-in; <c>SameSite=Lax</c>, as the provider sends the browser back by a top-level GET from its own site.</summary>
    public const string PendingCookie = "smcp-oauth-upstream";

    /// <summary>Browsers keep cookies of about 4 KiB; a pending sign-in that would not fit is refused before the provider is asked.</summary>
    public const int MaxCookieLength = 3800;

    private const int MaxErrorLength = 64;

    public async Task<Results<ContentHttpResult, RedirectHttpResult>> StartAsync(HttpContext context, string tenant)
    {
        if (!site.IsServed(tenant))
        {
            return OAuthPageResults.NotFound(context);
        }

        if (Limited(context) is { } limited)
        {
            return limited;
        }

        var posted = await PostedForm.ReadAsync(context, antiforgery);
        if (posted.Form is null)
        {
            OAuthPagesLog.FormRefused(logger, "upstream sign-in", tenant, context.Connection.RemoteIpAddress, posted.Problem!);
            return OAuthPageResults.Error(context, posted.StatusCode, "Sign-in cannot continue", posted.Problem!);
        }

        if (site.SignIn(tenant).Upstream is not { } provider)
        {
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Sign-in cannot continue", "This tenant signs in with no other provider.");
        }

        if (protector.UnprotectSignIn(tenant, posted.Field(OAuthPageWriter.RequestField)) is not { } request)
        {
            OAuthPagesLog.FormRefused(logger, "upstream sign-in", tenant, context.Connection.RemoteIpAddress, "sealed request missing, expired, or not this tenant's");
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Sign-in cannot continue",
                "This sign-in page has expired or is not valid. Go back to the application and start again.");
        }

        var redirectUri = site.Issuer(context.Request, tenant) + OAuthNames.UpstreamCallbackPath;
        if (upstream.For(tenant, provider, redirectUri) is not { } client)
        {
            UpstreamLog.SecretUnreadable(logger, tenant, provider.ClientSecret?.ToString());
            return Unavailable(context, provider);
        }

        var nonce = Base64Url(RandomNumberGenerator.GetBytes(32));
        AuthorizeState state;
        try
        {
            state = await client.PrepareLoginAsync(new Parameters { { "nonce", nonce } }, context.RequestAborted);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            UpstreamLog.ProviderFailed(logger, tenant, provider.Issuer, ex.Message);
            return Unavailable(context, provider);
        }

        if (state.IsError)
        {
            UpstreamLog.ProviderFailed(logger, tenant, provider.Issuer, state.Error);
            return Unavailable(context, provider);
        }

        var cookie = protector.ProtectUpstream(tenant, new UpstreamPending(request, provider.Issuer, provider.ClientId, state.State, nonce, state.CodeVerifier, state.RedirectUri));
        if (cookie.Length > MaxCookieLength)
        {
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Sign-in cannot continue",
                "This application's sign-in request is too long to continue through another provider. Sign in with your password, or ask the application's maker.");
        }

        context.Response.Cookies.Append(PendingCookie, cookie, CookieOptions(context, tenant, PendingRequestProtector.Lifetime));
        return OAuthPageResults.Redirect(context, state.StartUrl);
    }

    public async Task<Results<ContentHttpResult, RedirectHttpResult>> CallbackAsync(HttpContext context, string tenant)
    {
        if (!site.IsServed(tenant))
        {
            return OAuthPageResults.NotFound(context);
        }

        if (Limited(context) is { } limited)
        {
            return limited;
        }

        var address = context.Connection.RemoteIpAddress;
        var sealedPending = context.Request.Cookies[PendingCookie];
        context.Response.Cookies.Delete(PendingCookie, CookieOptions(context, tenant, TimeSpan.Zero));
        var query = context.Request.Query;
        if (protector.UnprotectUpstream(tenant, sealedPending) is not { } pending)
        {
            UpstreamLog.CallbackRefused(logger, tenant, address, "no pending sign-in of this tenant in this browser");
            return Expired(context);
        }

        if (query["state"].Count != 1 || !FixedTimeEquals(query["state"].ToString(), pending.State))
        {
            UpstreamLog.CallbackRefused(logger, tenant, address, "the state is not the one sent");
            return Expired(context);
        }

        if (!spent.TrySpend(pending.State, PendingRequestProtector.Lifetime))
        {
            UpstreamLog.CallbackRefused(logger, tenant, address, "the state was brought back before");
            return Expired(context);
        }

        if (site.SignIn(tenant).Upstream is not { } provider || provider.Issuer != pending.Issuer || provider.ClientId != pending.ClientId)
        {
            UpstreamLog.CallbackRefused(logger, tenant, address, "the tenant's provider changed while the sign-in was under way");
            return Expired(context);
        }

        if (query.ContainsKey("iss") && (query["iss"].Count != 1 || query["iss"].ToString() != provider.Issuer))
        {
            UpstreamLog.CallbackRefused(logger, tenant, address, "the response names another issuer (RFC 9207)");
            return Expired(context);
        }

        var request = pending.Request;
        var issuer = site.Issuer(context.Request, tenant);
        if (query.ContainsKey("error"))
        {
            var error = Printable(query["error"].ToString());
            UpstreamLog.ProviderRefused(logger, tenant, provider.Issuer, error);
            return OAuthPageResults.Redirect(context, AuthorizationResponse.Error(
                request.RedirectUri, OAuthNames.AccessDenied, $"The upstream provider did not sign the user in ({error}).", request.State, issuer));
        }

        var lookup = await clients.FindAsync(tenant, request.ClientId, context.RequestAborted);
        if (lookup.Client is not { } oauthClient || !oauthClient.RedirectUris.Contains(request.RedirectUri, StringComparer.Ordinal))
        {
            return OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Sign-in cannot continue", "The application is no longer registered here.");
        }

        if (upstream.For(tenant, provider, pending.RedirectUri) is not { } client)
        {
            UpstreamLog.SecretUnreadable(logger, tenant, provider.ClientSecret?.ToString());
            return Unavailable(context, provider);
        }

        LoginResult result;
        try
        {
            var state = new AuthorizeState { State = pending.State, CodeVerifier = pending.CodeVerifier, RedirectUri = pending.RedirectUri };
            result = await client.ProcessResponseAsync(context.Request.QueryString.Value ?? "", state, cancellationToken: context.RequestAborted);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            UpstreamLog.ProviderFailed(logger, tenant, provider.Issuer, ex.Message);
            return Unavailable(context, provider);
        }

        if (result.IsError || result.IdentityToken is null)
        {
            UpstreamLog.ProviderFailed(logger, tenant, provider.Issuer, result.IsError ? result.Error : "the token response has no ID token");
            return OAuthPageResults.Error(context, StatusCodes.Status502BadGateway, "Sign-in cannot continue",
                $"The answer of {provider.DisplayName} could not be used. Go back to the application and try again.");
        }

        if (result.User.FindFirst("nonce")?.Value is not { } nonce || !FixedTimeEquals(nonce, pending.Nonce))
        {
            UpstreamLog.ProviderFailed(logger, tenant, provider.Issuer, "the ID token's nonce is not the one sent");
            return OAuthPageResults.Error(context, StatusCodes.Status502BadGateway, "Sign-in cannot continue",
                $"The answer of {provider.DisplayName} could not be used. Go back to the application and try again.");
        }

        var match = await identities.MatchAsync(tenant, provider, result.User, context.RequestAborted);
        if (match.UserId is not { } userId)
        {
            UpstreamLog.NoUser(logger, tenant, provider.Issuer, match.Reason!);
            await audit.RecordAsync(tenant, null, OAuthAudit.UpstreamSignIn, oauthClient.ClientId, "refused");
            return OAuthPageResults.Error(context, StatusCodes.Status403Forbidden, "No account here",
                match.Email is { } email
                    ? $"{provider.DisplayName} signed you in as {email}, but that is not a user of this tenant who may sign in this way. Ask the tenant's admin."
                    : $"{provider.DisplayName} signed you in, but sent no email address this tenant knows. Ask the tenant's admin.");
        }

        UpstreamLog.SignedIn(logger, tenant, userId, provider.Issuer);
        await audit.RecordAsync(tenant, "user:" + userId, OAuthAudit.UpstreamSignIn, oauthClient.ClientId, "ok");
        var tokens = antiforgery.GetAndStoreTokens(context);
        // The antiforgery cookie is SameSite=Strict, so the provider's redirect arrives without it and a new one is set now.
        var browser = PostedForm.BrowserOf(tokens.CookieToken ?? context.Request.Cookies[PostedForm.AntiforgeryCookie] ?? "");
        return OAuthPageResults.Html(context, StatusCodes.Status200OK, OAuthPageWriter.Consent(
            site.FormAction(context.Request, tenant, OAuthNames.ConsentPath), oauthClient, request, tokens, protector.ProtectConsent(tenant, new ConsentTicket(request, userId, browser))));
    }

    private ContentHttpResult? Limited(HttpContext context)
    {
        if (preAuth.TryAcquire(context.Connection.RemoteIpAddress) is not { } wait)
        {
            return null;
        }

        context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return OAuthPageResults.Error(context, StatusCodes.Status429TooManyRequests, "Too many requests",
            "Too many requests came from your address. Wait a moment, then try again.");
    }

    private CookieOptions CookieOptions(HttpContext context, string tenant, TimeSpan maxAge) => new()
    {
        HttpOnly = true,
        Secure = site.BaseUrl(context.Request).StartsWith("https:", StringComparison.OrdinalIgnoreCase),
        SameSite = SameSiteMode.Lax,
        Path = site.FormAction(context.Request, tenant, OAuthNames.UpstreamPath),
        MaxAge = maxAge,
        IsEssential = true,
    };

    private static ContentHttpResult Expired(HttpContext context) =>
        OAuthPageResults.Error(context, StatusCodes.Status400BadRequest, "Sign-in cannot continue",
            "This sign-in has expired, was already used, or was started in another browser. Go back to the application and start again.");

    private static ContentHttpResult Unavailable(HttpContext context, UpstreamProviderConfig provider) =>
        OAuthPageResults.Error(context, StatusCodes.Status502BadGateway, "Sign-in cannot continue",
            $"{provider.DisplayName} cannot be reached just now. Try again in a while.");

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    // A provider's error code goes into a redirect's error_description and the log: only its first letters, digits, '_', '-' and '.'.
    private static string Printable(string error)
    {
        var kept = new string([.. error.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.').Take(MaxErrorLength)]);
        return kept.Length == 0 ? "no error code" : kept;
    }
}
