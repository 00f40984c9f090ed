using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>Reads typed values out of YAML nodes and collects every mistake with its place, instead of stopping at the first.</summary>
internal sealed class NodeReader(string fileName)
{
    private readonly List<ConfigError> errors = [];

    /// <summary>In file order; mistakes without a place (environment variables) last.</summary>
    public IReadOnlyList<ConfigError> Errors => [.. errors.OrderBy(e => e.Line == 0).ThenBy(e => e.Line).ThenBy(e => e.Column)];

    public void Error(YamlNode at, string path, string message) => Error(at.Start, path, message);

    public void Error(Mark at, string path, string message) =>
        errors.Add(new ConfigError(fileName, (int)at.Line, (int)at.Column, path, message));

    public void Error(string path, string message) => errors.Add(new ConfigError(fileName, 0, 0, path, message));

    /// <summary>A YAML null (<c>~</c>, <c>null</c> or nothing): the setting is left at its default.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>The entries of a mapping with a non-null value; unknown keys are reported. Null when the node is not a mapping.</summary>
    public Dictionary<string, YamlNode>? Mapping(YamlNode node, string path, IReadOnlyCollection<string> allowed)
    {
        if (IsNull(node))
        {
            return [];
        }

        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, $"expected a mapping with keys {string.Join(", ", allowed)}; found {Describe(node)}");
            return null;
        }

        var entries = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(keyNode, path, $"a key must be a plain word; allowed: {string.Join(", ", allowed)}");
            }
            else if (!allowed.Contains(key))
            {
                Error(keyNode, Join(path, key), $"unknown key{DidYouMean.Hint(key, allowed)}; allowed: {string.Join(", ", allowed)}");
            }
            else if (!IsNull(value))
            {
                entries[key] = value;
            }
        }

        return entries;
    }

    /// <summary>The items of a sequence; null (and reported) when the node is something else.</summary>
    public IReadOnlyList<YamlNode>? Sequence(YamlNode node, string path, string example)
    {
        if (IsNull(node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, path, $"expected a list, e.g. {example}; found {Describe(node)}");
            return null;
        }

        return [.. sequence.Children];
    }

    /// <summary>The text of a scalar; null (and reported) when the node is a mapping or a list.</summary>
    public string? Text(YamlNode node, string path, string expected)
    {
        if (node is YamlScalarNode { Value: { } value })
        {
            return value;
        }

        Error(node, path, $"expected {expected}; found {Describe(node)}");
        return null;
    }

    public int? Int(YamlNode node, string path, int min)
    {
        if (Text(node, path, "a whole number") is not { } text)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(node, path, $"'{text}' is not a whole number");
            return null;
        }

        if (value < min || value > int.MaxValue)
        {
            Error(node, path, value < min ? $"{text} is too small; use at least {min}" : $"{text} is too large; use at most {int.MaxValue}");
            return null;
        }

        return (int)value;
    }

    public double? Number(YamlNode node, string path, double exclusiveMin, double max)
    {
        if (Text(node, path, "a number") is not { } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            Error(node, path, $"'{text}' is not a number; use e.g. 0.5 or 2");
            return null;
        }

        if (value <= exclusiveMin || value > max)
        {
            Error(node, path, string.Create(CultureInfo.InvariantCulture, $"{text} is out of range; use more than {exclusiveMin} and at most {max}"));
            return null;
        }

        return value;
    }

    public long? Size(YamlNode node, string path, long min)
    {
        if (Text(node, path, "a size") is not { } text)
        {
            return null;
        }

        if (!ConfigUnits.TryParseSize(text, out var bytes))
        {
            Error(node, path, $"'{text}' is not a size; use bytes or a unit like 256Mi (Ki, Mi, Gi, Ti are powers of 1024; k, M, G, T of 1000)");
            return null;
        }

        if (bytes < min)
        {
            Error(node, path, $"{text} is too small; use at least {ConfigUnits.FormatSize(min)}");
            return null;
        }

        return bytes;
    }

    public TimeSpan? Duration(YamlNode node, string path, TimeSpan min, TimeSpan max)
    {
        if (Text(node, path, "a duration") is not { } text)
        {
            return null;
        }

        if (!ConfigUnits.TryParseDuration(text, out var duration))
        {
            Error(node, path, $"'{text}' is not a duration; use a unit like 90s, 15m, 1h or 1h30m");
            return null;
        }

        if (duration < min || duration > max)
        {
            Error(node, path, $"{text} is out of range; use from {ConfigUnits.FormatDuration(min)} to {ConfigUnits.FormatDuration(max)}");
            return null;
        }

        return duration;
    }

    /// <summary>One of a fixed set of words, e.g. <c>active</c> | <c>suspended</c>.</summary>
    public bool TryChoice<T>(YamlNode node, string path, string what, IReadOnlyDictionary<string, T> allowed, [MaybeNullWhen(false)] out T value)
    {
        value = default;
        if (Text(node, path, what) is not { } text)
        {
            return false;
        }

        if (allowed.TryGetValue(text, out value))
        {
            return true;
        }

        Error(node, path, $"'{text}' is not {what}{DidYouMean.Hint(text, allowed.Keys)}; allowed: {string.Join(", ", allowed.Keys)}");
        return false;
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>Each server of a tenant's <c>servers:</c> mapping that sets <paramref name="key"/> to a non-null value, with the value's path.</summary>
    /// <remarks>Only finds; the names and keys themselves are checked (and reported) by <see cref="ToolScanReader.ReadServers"/>.</remarks>
    public static IEnumerable<(string Server, YamlNode Value, string Path)> ServerEntries(YamlNode servers, string path, string key)
    {
        if (servers is not YamlMappingNode mapping)
        {
            yield break;
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } name } && value is YamlMappingNode server
                && server.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: var k } && k == key).Value is { } entry && !IsNull(entry))
            {
                yield return (name, entry, Join(Join(path, name), key));
            }
        }
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: var value } => $"'{value}'",
        _ => node.NodeType.ToString(),
    };
}
