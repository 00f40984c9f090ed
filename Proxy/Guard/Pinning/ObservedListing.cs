using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Guard.Pinning;

/// <summary>The tools of one <c>tools/list</c> answer as pins, or why they cannot be pinned.</summary>
/// <param name="IsPage">The answer has a <c>nextCursor</c>: tools missing from it are not removals.</param>
/// <param name="Problem">Why the answer cannot be pinned (shape, duplicate names, too many tools); then nothing else is set.</param>
internal sealed record ObservedListing(IReadOnlyList<ObservedTool> Tools, string Hash, bool IsPage, string? Problem)
{
    /// <summary>Tools one listing may hold to be pinned; a longer one is refused as a whole.</summary>
    public const int MaxTools = 1024;

    public bool IsReadable => Problem is null;

    /// <summary>The tools of the answer <paramref name="line"/>.</summary>
    public static ObservedListing Read(ReadOnlyMemory<byte> line)
    {
        if (!ResultLocator.TryFind(line, out var result))
        {
            return Unreadable("the answer has no single result member");
        }

        try
        {
            using var document = JsonDocument.Parse(result);
            return Read(document.RootElement);
        }
        catch (JsonException)
        {
            return Unreadable("the result is not JSON the proxy can read (nested too deep)");
        }
        catch (InvalidOperationException)
        {
            return Unreadable("a string is not valid UTF-16");
        }
    }

    private static ObservedListing Read(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
        {
            return Unreadable("the result is not an object with a tools array");
        }

        if (tools.GetArrayLength() > MaxTools)
        {
            return Unreadable($"the listing has {tools.GetArrayLength()} tools, more than the {MaxTools} that are pinned");
        }

        var observed = new List<ObservedTool>(tools.GetArrayLength());
        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
            {
                return Unreadable($"tool {index} is not an object with a string name");
            }

            var name = nameElement.GetString()!;
            if (!names.Add(name))
            {
                return Unreadable($"two tools are named '{Excerpt.Around(name, 0)}'");
            }

            observed.Add(ToolCanon.Observe(tool, name));
            index++;
        }

        var isPage = result.TryGetProperty("nextCursor", out var cursor) && cursor.ValueKind == JsonValueKind.String;
        return new ObservedListing(observed, HashOf(observed), isPage, null);
    }

    /// <summary>SHA-256 over the tools' hashes in order: what a pending change and its approval name.</summary>
    public static string HashOf(IEnumerable<ObservedTool> tools) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', tools.Select(t => t.Pin.Hash)))));

    private static ObservedListing Unreadable(string problem) => new([], "", false, problem);
}
