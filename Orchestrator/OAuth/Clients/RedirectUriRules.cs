namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>Which redirect URIs a client may register: https anywhere, or plain http on a loopback host only (RFC 8252 section 7.3).</summary>
internal static class RedirectUriRules
{
    public const int MaxLength = 2048;

    /// <summary>Null when <paramref name="uri"/> is acceptable, else why not.</summary>
    public static string? Check(string uri)
    {
        if (uri.Length is 0 or > MaxLength)
        {
            return $"A redirect URI is 1 to {MaxLength} characters.";
        }

        if (uri.Any(c => c <= ' ' || c == '\x7F' || !char.IsAscii(c)))
        {
            return "A redirect URI holds no spaces, control or non-ASCII characters (percent-encode them).";
        }

        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return "A redirect URI is an absolute URL.";
        }

        if (uri.Contains('#', StringComparison.Ordinal))
        {
            return "A redirect URI has no fragment (RFC 6749 section 3.1.2).";
        }

        if (parsed.UserInfo.Length > 0 || Authority(uri).Contains('@', StringComparison.Ordinal))
        {
            return "A redirect URI has no user name or password.";
        }

        return parsed.Scheme switch
        {
            "https" when parsed.Host.Length > 0 => null,
            "http" when parsed.Host is "127.0.0.1" or "[::1]" or "localhost" => null,
            "http" => "A plain-http redirect URI must be on a loopback host (127.0.0.1, [::1] or localhost); use https otherwise.",
            _ => "A redirect URI is https, or http on a loopback host.",
        };
    }

    // As written, not as parsed: "https://@host" parses with an empty user name.
    private static string Authority(string uri)
    {
        var start = uri.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }

        var rest = uri[(start + 3)..];
        var end = rest.IndexOfAny(['/', '?']);
        return end < 0 ? rest : rest[..end];
    }
}
