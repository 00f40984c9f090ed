using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>A page's form post, read within bounds and with its antiforgery token checked; or why not.</summary>
/// <param name="Browser">The SHA-256 (base64url) of the browser's antiforgery cookie, once it checked out: names the browser session without holding its secret.</param>
internal sealed record PostedForm(IFormCollection? Form, int StatusCode, string? Problem, string? Browser = null)
{
    /// <summary>The antiforgery cookie of the pages.</summary>
    public const string AntiforgeryCookie = "smcp-oauth-csrf";

    public const int MaxBodyBytes = 16 * 1024;

    private static readonly FormOptions Limits = new()
    {
        ValueCountLimit = 16,
        KeyLengthLimit = 64,
        ValueLengthLimit = MaxBodyBytes,
        MultipartBodyLengthLimit = MaxBodyBytes,
    };

    /// <summary>The field's one value; null when it is missing or repeated.</summary>
    public string? Field(string name) => Form is not null && Form.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    public static async Task<PostedForm> ReadAsync(HttpContext context, IAntiforgery antiforgery)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Refused(StatusCodes.Status415UnsupportedMediaType, "The form must be posted as application/x-www-form-urlencoded.");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return Refused(StatusCodes.Status413PayloadTooLarge, $"The form is larger than {MaxBodyBytes / 1024} KiB.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBodyBytes;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(Limits, context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Refused(StatusCodes.Status413PayloadTooLarge, $"The form is larger than {MaxBodyBytes / 1024} KiB.");
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            return Refused(StatusCodes.Status400BadRequest, "The form could not be read.");
        }

        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Refused(StatusCodes.Status400BadRequest, "The form's security token is missing or belongs to another browser session. Go back to the application and start again.");
        }

        return new PostedForm(form, StatusCodes.Status200OK, null, BrowserOf(request.Cookies[AntiforgeryCookie] ?? ""));
    }

    /// <summary>The <see cref="Browser"/> name of an antiforgery cookie's value.</summary>
    public static string BrowserOf(string antiforgeryCookie) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(antiforgeryCookie)));

    private static PostedForm Refused(int statusCode, string problem) => new(null, statusCode, problem);
}
