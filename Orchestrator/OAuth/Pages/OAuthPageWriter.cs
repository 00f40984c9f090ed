using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>The sign-in, consent and error pages: plain server-rendered HTML, no script, every value HTML-encoded.</summary>
/// <remarks>
/// The form contract other tests drive: the sign-in page has one form posting <c>username</c> and <c>password</c>
/// to <c>/oauth/{tenant}/authorize</c> (shown unless the tenant turned passwords off), then, when the tenant has an
/// upstream provider, a second form with the button <c>upstream</c> posting to <c>/oauth/{tenant}/upstream</c>; the consent form posts to <c>/oauth/{tenant}/consent</c> with the buttons
/// <c>approve</c> and <c>deny</c>; both carry the antiforgery token and the sealed <c>request</c> as hidden inputs.
/// </remarks>
internal static class OAuthPageWriter
{
    public const string RequestField = "request";
    public const string UsernameField = "username";
    public const string PasswordField = "password";
    public const string ApproveButton = "approve";
    public const string DenyButton = "deny";
    public const string UpstreamButton = "upstream";

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <param name="upstream">The "sign in with" form: the provider's name and where it posts; null when the tenant has no upstream provider.</param>
    /// <param name="passwords">Whether the email and password form is shown.</param>
    public static string SignIn(
        string formAction, OAuthClient client, AuthorizationRequest request, AntiforgeryTokenSet tokens, string blob, string? problem,
        bool passwords = true, (string Name, string Action)? upstream = null)
    {
        var body = new StringBuilder();
        body.Append("<h1>Sign in</h1>");
        About(body, client, request);
        if (problem is not null)
        {
            body.Append("<p role=\"alert\" class=\"problem\">").Append(Html.Encode(problem)).Append("</p>");
        }

        if (passwords)
        {
            body.Append("<form method=\"post\" action=\"").Append(Html.Encode(formAction)).Append("\">");
            Hidden(body, tokens, blob);
            body.Append("<label>Email <input type=\"email\" name=\"").Append(UsernameField).Append("\" autocomplete=\"username\" required maxlength=\"254\"></label>")
                .Append("<label>Password <input type=\"password\" name=\"").Append(PasswordField).Append("\" autocomplete=\"current-password\" required></label>")
                .Append("<button type=\"submit\">Sign in</button></form>");
        }

        if (upstream is { } other)
        {
            body.Append("<form method=\"post\" action=\"").Append(Html.Encode(other.Action)).Append("\">");
            Hidden(body, tokens, blob);
            body.Append("<button type=\"submit\" name=\"").Append(UpstreamButton).Append("\" value=\"1\">Sign in with ").Append(Html.Encode(other.Name)).Append("</button></form>");
        }

        return Page("Sign in", body.ToString());
    }

    public static string Consent(string formAction, OAuthClient client, AuthorizationRequest request, AntiforgeryTokenSet tokens, string blob)
    {
        var body = new StringBuilder();
        body.Append("<h1>Allow access?</h1>");
        About(body, client, request);
        body.Append("<p>It will be able to use this MCP server as you (scope <code>").Append(Html.Encode(request.Scope)).Append("</code>).</p>")
            .Append("<form method=\"post\" action=\"").Append(Html.Encode(formAction)).Append("\">");
        Hidden(body, tokens, blob);
        body.Append("<button type=\"submit\" name=\"").Append(ApproveButton).Append("\" value=\"1\">Allow</button> ")
            .Append("<button type=\"submit\" name=\"").Append(DenyButton).Append("\" value=\"1\">Deny</button></form>");
        return Page("Allow access?", body.ToString());
    }

    public static string Error(string title, string message) =>
        Page(title, $"<h1>{Html.Encode(title)}</h1><p>{Html.Encode(message)}</p>");

    private static void About(StringBuilder body, OAuthClient client, AuthorizationRequest request)
    {
        var host = Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out var uri) ? uri.Authority : request.RedirectUri;
        body.Append("<dl><dt>Application</dt><dd class=\"client\">").Append(Html.Encode(client.Name ?? client.ClientId)).Append("</dd>")
            .Append("<dt>Returns you to</dt><dd class=\"redirect\">").Append(Html.Encode(host)).Append("</dd>")
            .Append("<dt>For the MCP server</dt><dd class=\"resource\">").Append(Html.Encode(request.Resource)).Append("</dd></dl>");
    }

    private static void Hidden(StringBuilder body, AntiforgeryTokenSet tokens, string blob)
    {
        body.Append("<input type=\"hidden\" name=\"").Append(Html.Encode(tokens.FormFieldName)).Append("\" value=\"").Append(Html.Encode(tokens.RequestToken ?? "")).Append("\">")
            .Append("<input type=\"hidden\" name=\"").Append(RequestField).Append("\" value=\"").Append(Html.Encode(blob)).Append("\">");
    }

    private static string Page(string title, string body) =>
        $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Html.Encode(title)}} · SMCP</title>
        <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.8rem 0}input{display:block;width:100%;padding:.4rem}dd{margin:0 0 .5rem;word-break:break-all}.problem{color:#a00}button{padding:.4rem 1rem}</style>
        </head><body>{{body}}</body></html>
        """;
}
