using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Smcp.Orchestrator.Config;

/// <summary>One mistake in smcp.yaml, with where it is and what is allowed instead.</summary>
/// <param name="File">The file name as the admin gave it.</param>
/// <param name="Line">1-based; 0 when the mistake has no place in the file (e.g. an environment variable).</param>
/// <param name="Column">1-based; 0 with <paramref name="Line"/> 0.</param>
/// <param name="Path">The setting, e.g. <c>tenants[1].quotas.memory</c>; empty for a YAML syntax error.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
internal sealed record ConfigError(string File, int Line, int Column, string Path, string Message)
{
    /// <summary>Compiler style: <c>smcp.yaml:12:7: tenants[1].quotas.memory: '12 apples' is not a size; …</c>.</summary>
    public override string ToString()
    {
        var place = Line > 0 ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}") : File;
        return Path.Length > 0 ? $"{place}: {Path}: {Message}" : $"{place}: {Message}";
    }
}

/// <summary>A loaded configuration, or every mistake that kept it from loading.</summary>
internal sealed record ConfigResult
{
    private ConfigResult(SmcpConfig? config, IReadOnlyList<ConfigError> errors, string contentHash)
    {
        Config = config;
        Errors = errors;
        ContentHash = contentHash;
    }

    public SmcpConfig? Config { get; }

    /// <summary>Empty when <see cref="IsValid"/>; otherwise in file order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>SHA-256 (hex) of the bytes that were read, so a watcher can tell an edit from a touch.</summary>
    public string ContentHash { get; }

    [MemberNotNullWhen(true, nameof(Config))]
    public bool IsValid => Config is not null;

    public static ConfigResult Valid(SmcpConfig config, string contentHash) => new(config, [], contentHash);

    public static ConfigResult Invalid(IReadOnlyList<ConfigError> errors, string contentHash) =>
        errors.Count > 0 ? new(null, errors, contentHash) : throw new ArgumentException("An invalid result needs at least one error.", nameof(errors));
}
