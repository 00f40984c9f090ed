using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smcp.Orchestrator.OAuth.Users;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>Wires the built-in issuer's front channel: <c>/authorize</c>, the sign-in and consent pages, and the users behind them.</summary>
internal static class OAuthPagesExtensions
{
    /// <summary>Adds the pages, their users, CSRF protection and the sign-in rate limit.</summary>
    /// <remarks>
    /// Data Protection (which seals the pages' hidden fields and the antiforgery tokens) keeps its keys in
    /// memory: enough for one process, and a restart only voids sign-ins that were under way. Several
    /// processes behind one name need one shared key ring instead (<c>PersistKeysTo…</c> on storage all of
    /// them read, <c>ProtectKeysWith…</c> so the keys are not stored in the clear, and one
    /// <c>SetApplicationName</c>), or a browser's form post that lands on another process is refused.
    /// </remarks>
    public static IServiceCollection AddSmcpOAuthPages(this IServiceCollection services, Action<OAuthPagesOptions>? configure = null)
    {
        var options = services.AddOptions<OAuthPagesOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OAuthPagesOptions>, OAuthPagesOptionsValidator>());
        options.ValidateOnStart();
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new InMemoryKeyRepository());
        // The key manager warns that keys without an XML encryptor may be stored unencrypted; these are stored nowhere but memory.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter(typeof(XmlKeyManager).FullName, LogLevel.Error));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = PostedForm.AntiforgeryCookie;
            o.FormFieldName = "csrf";
            // The pages send X-Frame-Options: DENY themselves, stricter than the SAMEORIGIN antiforgery adds.
            o.SuppressXFrameOptionsHeader = true;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClientDirectory>();
        services.TryAddSingleton<AuthorizationCodeStore>();
        services.TryAddSingleton<UserPasswords>();
        services.TryAddSingleton<UserStore>();
        services.TryAddSingleton<UserSignIn>();
        services.TryAddSingleton<PendingRequestProtector>();
        services.TryAddSingleton<AuthorizeRequestValidator>();
        services.TryAddSingleton<SignInLimiter>();
        services.TryAddSingleton<OAuthPageSite>();
        services.TryAddSingleton<AuthorizeEndpoint>();
        services.TryAddSingleton<ConsentEndpoint>();
        services.TryAddSingleton<Upstream.UpstreamIdTokenValidator>();
        services.TryAddSingleton<Upstream.UpstreamClients>();
        services.TryAddSingleton<Upstream.UpstreamIdentities>();
        services.TryAddSingleton<Upstream.SpentStates>();
        services.TryAddSingleton<Upstream.UpstreamSignInEndpoint>();
        return services;
    }

    /// <summary>Maps <c>GET|POST /oauth/{tenant}/authorize</c>, <c>POST /oauth/{tenant}/consent</c>, and the upstream sign-in's <c>POST /oauth/{tenant}/upstream</c> and <c>GET /oauth/{tenant}/upstream/callback</c>.</summary>
    public static IEndpointRouteBuilder MapSmcpOAuthPages(this IEndpointRouteBuilder endpoints)
    {
        var issuer = endpoints.MapGroup("/oauth/{tenant}").ExcludeFromDescription();
        issuer.MapGet(OAuthNames.AuthorizePath, (HttpContext context, string tenant, AuthorizeEndpoint endpoint) => endpoint.GetAsync(context, tenant));
        issuer.MapPost(OAuthNames.AuthorizePath, (HttpContext context, string tenant, AuthorizeEndpoint endpoint) => endpoint.PostAsync(context, tenant));
        issuer.MapPost(OAuthNames.ConsentPath, (HttpContext context, string tenant, ConsentEndpoint endpoint) => endpoint.PostAsync(context, tenant));
        issuer.MapPost(OAuthNames.UpstreamPath, (HttpContext context, string tenant, Upstream.UpstreamSignInEndpoint endpoint) => endpoint.StartAsync(context, tenant));
        issuer.MapGet(OAuthNames.UpstreamCallbackPath, (HttpContext context, string tenant, Upstream.UpstreamSignInEndpoint endpoint) => endpoint.CallbackAsync(context, tenant));
        return endpoints;
    }
}
