namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary>A <c>scope</c> parameter: space-separated, case-sensitive tokens (RFC 6749 section 3.3).</summary>
internal static class ScopeSet
{
    /// <summary>The scope's tokens, or null when it is malformed (empty tokens, characters outside the grammar, over 1 KiB).</summary>
    public static string[]? Parse(string scope)
    {
        if (scope.Length > 1024)
        {
            return null;
        }

        var tokens = scope.Split(' ');
        return tokens.All(t => t.Length > 0 && t.All(c => c is '\x21' or (>= '\x23' and <= '\x5B') or (>= '\x5D' and <= '\x7E'))) ? tokens : null;
    }

    /// <summary>Whether every token of <paramref name="requested"/> is in <paramref name="granted"/>.</summary>
    public static bool IsWithin(string[] requested, string granted)
    {
        var allowed = granted.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return requested.All(t => allowed.Contains(t, StringComparer.Ordinal));
    }
}
