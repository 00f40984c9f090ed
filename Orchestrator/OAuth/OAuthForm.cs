using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Smcp.Orchestrator.OAuth;

/// <summary>The parameters of a form-encoded request to <c>/token</c> or <c>/revoke</c>, each at most once (RFC 6749 section 3.2).</summary>
internal sealed class OAuthForm
{
    private readonly Dictionary<string, StringValues> _values;

    private OAuthForm(Dictionary<string, StringValues> values) => _values = values;

    /// <summary>A parameter's value; an empty one counts as absent (RFC 6749 section 3.1).</summary>
    public string? this[string name] => _values.TryGetValue(name, out var value) && value.ToString() is { Length: > 0 } text ? text : null;

    public static async Task<(OAuthForm? Form, OAuthError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || !(request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, OAuthError.InvalidRequest("Send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded)."));
        }

        var (body, refusal) = await BoundedBody.ReadAsync(request, OAuthNames.InvalidRequest, cancellationToken);
        if (body is null)
        {
            return (null, refusal);
        }

        Dictionary<string, StringValues> values;
        try
        {
            using var reader = new FormReader(Encoding.UTF8.GetString(body)) { ValueCountLimit = 64 };
            values = reader.ReadForm();
        }
        catch (InvalidDataException)
        {
            return (null, OAuthError.InvalidRequest("The form has too many parameters."));
        }

        if (values.FirstOrDefault(v => v.Value.Count > 1) is { Key: { } repeated })
        {
            return (null, OAuthError.InvalidRequest($"The parameter '{Shorten(repeated)}' is sent more than once."));
        }

        return (new OAuthForm(values), null);
    }

    private static string Shorten(string name) => name.Length > 40 ? name[..40] + "…" : name;
}
