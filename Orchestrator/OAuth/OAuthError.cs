namespace Smcp.Orchestrator.OAuth;

/// <summary>A refusal by an authorization-server endpoint (RFC 6749 section 5.2, RFC 7591 section 3.2.2): the endpoint turns it into the JSON answer.</summary>
/// <param name="Description">For the client's developer: what to change. Never a token, code, secret or internal detail.</param>
internal sealed record OAuthError(string Error, string Description, int Status = StatusCodes.Status400BadRequest)
{
    /// <summary>Set on 429 answers.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static OAuthError InvalidRequest(string description) => new(OAuthNames.InvalidRequest, description);

    public static OAuthError InvalidGrant(string description) => new(OAuthNames.InvalidGrant, description);

    /// <summary>401: the client did not authenticate (RFC 6749 section 5.2).</summary>
    public static OAuthError InvalidClient(string description) => new(OAuthNames.InvalidClient, description, StatusCodes.Status401Unauthorized);

    public static OAuthError NoSuchIssuer(string tenant) =>
        new("not_found", $"There is no authorization server for tenant '{(tenant.Length > 63 ? tenant[..63] + "…" : tenant)}' here.", StatusCodes.Status404NotFound);

    public IResult ToResult() => new OAuthJsonResult<OAuthErrorBody>(new OAuthErrorBody(Error, Description), OAuthJsonContext.Default.OAuthErrorBody, Status)
    {
        RetryAfter = RetryAfter,
        BasicChallenge = Status == StatusCodes.Status401Unauthorized,
    };
}

internal sealed record OAuthErrorBody(string Error, string ErrorDescription);
