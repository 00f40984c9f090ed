using Microsoft.AspNetCore.Http.Features;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Reads a small request body whole, refusing one over a byte bound before reading past it.</summary>
internal static class BoundedBody
{
    /// <summary>The authorization server's bound on every request body (forms and registration JSON).</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>The body, or null when it is larger than <see cref="MaxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            return null;
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
            return null;
        }

        return length > MaxBytes ? null : buffer[..length];
    }

    public static OAuthError TooLarge(string error) =>
        new(error, $"The request body is over {MaxBytes / 1024} KiB.", StatusCodes.Status413PayloadTooLarge);
}
