namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>How an authorization request is answered.</summary>
internal enum AuthorizeOutcome
{
    /// <summary>Every check passed: show the sign-in page.</summary>
    Valid,

    /// <summary>The client or its redirect URI is not established: a 400 page, never a redirect (no open redirect).</summary>
    ShowError,

    /// <summary>The redirect URI is the client's own: the OAuth error goes back to it.</summary>
    RedirectError,
}

/// <summary>The verdict on an authorization request.</summary>
internal sealed record AuthorizeValidation
{
    public required AuthorizeOutcome Outcome { get; init; }

    /// <summary>With <see cref="AuthorizeOutcome.Valid"/>.</summary>
    public AuthorizationRequest? Request { get; init; }

    /// <summary>With <see cref="AuthorizeOutcome.Valid"/>.</summary>
    public OAuthClient? Client { get; init; }

    /// <summary>The OAuth error code (<see cref="AuthorizeOutcome.RedirectError"/>).</summary>
    public string? Error { get; init; }

    /// <summary>Safe to show the person or the client; for <see cref="AuthorizeOutcome.ShowError"/> the page's text.</summary>
    public string? Description { get; init; }

    /// <summary>Where a <see cref="AuthorizeOutcome.RedirectError"/> goes.</summary>
    public string? RedirectUri { get; init; }

    /// <summary>The client's state, echoed with a <see cref="AuthorizeOutcome.RedirectError"/>.</summary>
    public string? State { get; init; }

    public static AuthorizeValidation Valid(AuthorizationRequest request, OAuthClient client) =>
        new() { Outcome = AuthorizeOutcome.Valid, Request = request, Client = client };

    public static AuthorizeValidation Show(string description) =>
        new() { Outcome = AuthorizeOutcome.ShowError, Description = description };

    public static AuthorizeValidation Redirect(string redirectUri, string? state, string error, string description) =>
        new() { Outcome = AuthorizeOutcome.RedirectError, RedirectUri = redirectUri, State = state, Error = error, Description = description };
}
