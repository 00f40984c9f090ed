using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.Auth;

/// <summary>The one shape tenant and server ids take: they end up in URLs, image names and container labels.</summary>
internal static partial class TenantId
{
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
