using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.Data;

/// <summary>The id rule shared by tenants and servers: what the schema's CHECK constraints also enforce.</summary>
internal static partial class DataIds
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Throws for an id no tenant or server can have: a caller that passes one has a bug.</summary>
    public static void ThrowIfInvalid(string id, string paramName)
    {
        if (!IsValid(id))
        {
            throw new ArgumentException($"'{id}' is not a valid id (lower-case letters, digits and inner hyphens, 1-63 characters)", paramName);
        }
    }
}
