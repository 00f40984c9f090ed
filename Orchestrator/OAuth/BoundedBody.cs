using Microsoft.AspNetCore.Http.Features;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Reads a small request body whole, refusing one over a byte bound before reading past it.</summary>
internal static class BoundedBody
{
    /// <summary>The authorization server's bound on every request body (forms and registration JSON).</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>The body; else the refusal (with the OAuth <paramref name="error"/> code) of one larger than <see cref="MaxBytes"/> (413) or arriving slower than the server's minimum data rate, or broken (408, 400).</summary>
    public static async Task<(byte[]? Body, OAuthError? Refusal)> ReadAsync(HttpRequest request, string error, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge(error));
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes + 1;
        }

        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A chunked body passes the server's limit as it arrives, before this loop has read to its bound.
            return (null, TooLarge(error));
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusal while the body arrives: slower than its minimum data rate (408), or a broken chunk (400).
            return ex.StatusCode == StatusCodes.Status408RequestTimeout
                ? (null, new OAuthError(error, "The request body arrived too slowly.", StatusCodes.Status408RequestTimeout))
                : (null, new OAuthError(error, "The request body could not be read.", StatusCodes.Status400BadRequest));
        }

        return length > MaxBytes ? (null, TooLarge(error)) : (buffer[..length], null);
    }

    private static OAuthError TooLarge(string error) =>
        new(error, $"The request body is over {MaxBytes / 1024} KiB.", StatusCodes.Status413PayloadTooLarge);
}
