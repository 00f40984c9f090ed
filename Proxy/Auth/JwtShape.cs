namespace Smcp.Proxy.Auth;

/// <summary>Tells a JWS compact token from an API key by its shape alone, before anything is decoded.</summary>
public static class JwtShape
{
    /// <summary>Three base64url segments, the first one opening a JSON object (<c>eyJ</c> is <c>{"</c>); an API key (<c>smcp_…</c>) never has dots.</summary>
    public static bool IsJwt(string token)
    {
        if (!token.StartsWith("eyJ", StringComparison.Ordinal))
        {
            return false;
        }

        var dots = 0;
        var segmentLength = 0;
        foreach (var c in token)
        {
            if (c == '.')
            {
                if (segmentLength == 0)
                {
                    return false;
                }

                dots++;
                segmentLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            {
                segmentLength++;
            }
            else
            {
                return false;
            }
        }

        return dots == 2 && segmentLength > 0;
    }
}
