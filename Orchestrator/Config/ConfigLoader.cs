using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>Reads smcp.yaml into a <see cref="SmcpConfig"/>, or every mistake in it at once.</summary>
internal static class ConfigLoader
{
    /// <summary>Reads and parses the file; a file that cannot be read is one error, not an exception. Errors name the file as <paramref name="path"/> is written.</summary>
    /// <param name="environment">Looks up <c>SMCP_PG_APP</c>/<c>SMCP_PG_OWNER</c>; the process environment when null.</param>
    public static ConfigResult Load(string path, Func<string, string?>? environment = null)
    {
        return TryRead(path, out var bytes, out var problem)
            ? Parse(bytes, path, environment)
            : ConfigResult.Invalid([new ConfigError(path, 0, 0, "", problem)], "");
    }

    public static ConfigResult Parse(string yaml, string fileName, Func<string, string?>? environment = null) =>
        Parse(Encoding.UTF8.GetBytes(yaml), fileName, environment);

    public static ConfigResult Parse(ReadOnlySpan<byte> content, string fileName, Func<string, string?>? environment = null)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        var reader = new NodeReader(fileName);
        var root = LoadYaml(new UTF8Encoding(false).GetString(content.StartsWith(Encoding.UTF8.Preamble) ? content[3..] : content), reader);
        if (root is null)
        {
            return ConfigResult.Invalid(reader.Errors, hash);
        }

        var config = ConfigReader.Read(reader, root, environment ?? Environment.GetEnvironmentVariable);
        return reader.Errors.Count == 0 ? ConfigResult.Valid(config, hash) : ConfigResult.Invalid(reader.Errors, hash);
    }

    /// <summary>Reads the whole file; on failure says why in words for the admin.</summary>
    public static bool TryRead(string path, out byte[] bytes, out string problem)
    {
        bytes = [];
        problem = "";
        try
        {
            bytes = File.ReadAllBytes(path);
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = $"file not found: {Path.GetFullPath(path)}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read {Path.GetFullPath(path)}: {ex.Message}";
        }

        return false;
    }

    private static YamlNode? LoadYaml(string text, NodeReader reader)
    {
        var parser = new PositionTrackingParser(new Parser(new StringReader(text)));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            reader.Error(ex.Start.Line > 0 ? ex.Start : parser.LastPosition, "", $"YAML syntax: {ex.Message}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16 throws this instead of a YamlException for some unterminated flow collections.
            reader.Error(parser.LastPosition, "", "YAML syntax: a [ ] list or { } mapping is not closed");
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            reader.Error("", "the file is empty; an empty configuration is written 'tenants: []'");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            reader.Error(stream.Documents[1].RootNode, "", "the file holds more than one YAML document ('---'); keep one");
            return null;
        }

        return stream.Documents[0].RootNode;
    }

    // Remembers how far the parser got, so an error that comes without a position still gets one.
    private sealed class PositionTrackingParser(IParser inner) : IParser
    {
        public Mark LastPosition { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (inner.Current is { } current)
            {
                LastPosition = current.End;
            }

            return inner.MoveNext();
        }
    }
}
