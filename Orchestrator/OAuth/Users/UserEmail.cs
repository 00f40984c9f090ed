using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.OAuth.Users;

/// <summary>The one form a user's email takes in the store: trimmed, lower-cased, a plain <c>local@domain</c>.</summary>
internal static partial class UserEmail
{
    public const int MaxLength = 254;

    /// <summary>The stored form of <paramref name="email"/>, or null when it is no address a user can have.</summary>
    /// <remarks>Deliberately narrower than RFC 5322 (no quoted parts, comments or display names): the address is a sign-in name, not mail to deliver.</remarks>
    public static string? Normalize(string? email)
    {
        var normalized = email?.Trim().ToLowerInvariant();
        return normalized is { Length: >= 3 and <= MaxLength } && Pattern().IsMatch(normalized) ? normalized : null;
    }

    [GeneratedRegex(@"^[^@\s\p{C}""<>(),;:\\\[\]]+@[^@\s\p{C}""<>(),;:\\\[\]]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
