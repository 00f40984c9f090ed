namespace Smcp.Orchestrator.Api;

/// <summary>RFC 9457 problem details with a reason a person can act on; never a stack trace, SQL or secret.</summary>
internal static class Problems
{
    public static IResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult TooLarge(string detail) => Problem(StatusCodes.Status413PayloadTooLarge, "Too large", detail);

    public static IResult Unprocessable(string detail, IDictionary<string, object?>? extensions = null) =>
        Problem(StatusCodes.Status422UnprocessableEntity, "Unprocessable", detail, extensions);

    public static IResult TooManyRequests(string detail) => Problem(StatusCodes.Status429TooManyRequests, "Too many requests", detail);

    public static IResult NotImplemented(string detail) => Problem(StatusCodes.Status501NotImplemented, "Not implemented", detail);

    public static IResult ServiceUnavailable(string detail) => Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);

    public static IResult InsufficientStorage(string detail) => Problem(StatusCodes.Status507InsufficientStorage, "Insufficient storage", detail);

    public static IResult QuotaExceeded(string detail) => Problem(StatusCodes.Status403Forbidden, "Quota exceeded", detail);

    private static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
}
