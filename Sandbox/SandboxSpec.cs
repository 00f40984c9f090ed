using System.Security.Cryptography;
using System.Text;

namespace Smcp.Sandbox;

/// <summary>What to run in one sandbox, and the limits it runs under.</summary>
/// <remarks>
/// The defaults are the hardened policy: runtime runsc, no network, read-only root, tmpfs /tmp,
/// every capability dropped, no-new-privileges, an unprivileged user, no host mounts. Nothing in a
/// spec can add a mount, a capability or a network; the only loosening is the runtime (runc, then
/// with the seccomp profile that ships with this library) and the sizes in <see cref="Limits"/>.
/// </remarks>
public sealed record SandboxSpec
{
    public required string Image { get; init; }

    public required string Tenant { get; init; }

    public required string Server { get; init; }

    /// <summary>Overrides the image's entrypoint when set.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>Overrides the image's command when set.</summary>
    public IReadOnlyList<string>? Args { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public string? WorkingDir { get; init; }

    /// <summary>The user to run as; when null, the image's own user if it is not root, else 65534:65534.</summary>
    public string? User { get; init; }

    /// <summary>The OCI runtime; when null, <see cref="SandboxOptions.DefaultRuntime"/>.</summary>
    public string? Runtime { get; init; }

    public SandboxLimits Limits { get; init; } = new();

    /// <summary>
    /// A stable digest of everything that shapes the container, so a warm sandbox is only handed to
    /// a session that asks for exactly what it was started with (same image, args, env, limits).
    /// </summary>
    public string Fingerprint()
    {
        var text = new StringBuilder()
            .Append(Image).Append('\0').Append(Tenant).Append('\0').Append(Server).Append('\0')
            .AppendJoin('\u0001', Entrypoint ?? ["<image>"]).Append('\0')
            .AppendJoin('\u0001', Args ?? ["<image>"]).Append('\0')
            .AppendJoin('\u0001', Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + e.Value)).Append('\0')
            .Append(WorkingDir).Append('\0').Append(User).Append('\0').Append(Runtime).Append('\0')
            .Append(Limits);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

/// <summary>Resource limits of one sandbox. Null means the runtime's default from <see cref="SandboxOptions"/>.</summary>
public sealed record SandboxLimits
{
    public long MemoryBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>CPU share in cores (0.5 = half a core); null leaves the CPU unlimited.</summary>
    public double? Cpus { get; init; } = 1.0;

    /// <summary>
    /// Process/thread limit. Under runsc the sandbox's own threads (the gVisor sentry and gofer)
    /// count against it, so the default differs per runtime; see <see cref="SandboxOptions"/>.
    /// </summary>
    public long? Pids { get; init; }

    public long OpenFiles { get; init; } = 1024;

    public long TmpfsBytes { get; init; } = 64L * 1024 * 1024;
}

/// <summary>The OCI runtimes the sandbox knows how to harden.</summary>
public static class SandboxRuntimes
{
    public const string Gvisor = "runsc";
    public const string Runc = "runc";

    public static bool IsKnown(string runtime) => runtime is Gvisor or Runc;
}
