using System.Globalization;
using System.Reflection;
using Docker.DotNet.Models;

namespace Smcp.Sandbox.Engine;

/// <summary>Turns a <see cref="SandboxSpec"/> into the Engine API's create request, hardened.</summary>
internal static class ContainerSpecFactory
{
    public const string TenantLabel = "smcp.tenant";
    public const string ServerLabel = "smcp.server";
    public const string SessionLabel = "smcp.session";
    public const string InstanceLabel = "smcp.instance";
    public const string NobodyUser = "65534:65534";
    public const string NoHealthcheck = "NONE";
    public const string StopSignal = "SIGTERM";

    private static readonly Lazy<string> RuncSeccompProfile = new(LoadSeccompProfile);

    public static string SeccompProfile => RuncSeccompProfile.Value;

    /// <param name="spec">What to run.</param>
    /// <param name="options">The installation's sandbox settings.</param>
    /// <param name="sandboxId">This sandbox's own id (label <c>smcp.session</c>).</param>
    /// <param name="imageUser">The user the image names, or empty.</param>
    public static CreateContainerParameters Create(SandboxSpec spec, SandboxOptions options, string sandboxId, string? imageUser)
    {
        var runtime = spec.Runtime ?? options.DefaultRuntime;
        var limits = spec.Limits;
        var pids = limits.Pids ?? (runtime == SandboxRuntimes.Gvisor ? options.GvisorPidsLimit : options.RuncPidsLimit);

        var securityOpt = new List<string> { "no-new-privileges" };
        if (runtime != SandboxRuntimes.Gvisor)
        {
            // gVisor is the syscall boundary under runsc; under runc the kernel is, so narrow it.
            securityOpt.Add("seccomp=" + SeccompProfile);
        }

        return new CreateContainerParameters
        {
            Image = spec.Image,
            Entrypoint = spec.Entrypoint?.ToList(),
            Cmd = spec.Args?.ToList(),
            Env = spec.Env.Select(e => e.Key + "=" + e.Value).ToList(),
            WorkingDir = spec.WorkingDir ?? string.Empty,
            User = spec.User ?? ChooseUser(imageUser),
            Labels = new Dictionary<string, string>
            {
                [TenantLabel] = spec.Tenant,
                [ServerLabel] = spec.Server,
                [SessionLabel] = sandboxId,
                [InstanceLabel] = options.InstanceId,
            },
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
            OpenStdin = true,
            StdinOnce = false,
            Tty = false,
            NetworkDisabled = true,
            // An image's HEALTHCHECK would have the engine exec into the sandbox on its own schedule, and its
            // STOPSIGNAL could turn SMCP's stop into a no-op until the kill: neither is the image's to choose.
            Healthcheck = new HealthConfig { Test = [NoHealthcheck] },
            StopSignal = StopSignal,
            StopTimeout = options.StopGracePeriod,
            HostConfig = new HostConfig
            {
                Runtime = runtime,
                NetworkMode = "none",
                ReadonlyRootfs = true,
                Tmpfs = new Dictionary<string, string>
                {
                    ["/tmp"] = string.Create(CultureInfo.InvariantCulture, $"rw,nosuid,nodev,noexec,size={limits.TmpfsBytes}"),
                },
                CapDrop = ["ALL"],
                SecurityOpt = securityOpt,
                Privileged = false,
                IpcMode = "private",
                Memory = limits.MemoryBytes,
                MemorySwap = limits.MemoryBytes,
                NanoCPUs = limits.Cpus is { } cpus ? (long)(cpus * 1_000_000_000) : 0,
                PidsLimit = pids,
                Ulimits = [new Ulimit { Name = "nofile", Soft = limits.OpenFiles, Hard = limits.OpenFiles }],
                // stdout is the session's JSON-RPC and stderr is kept in memory for the tenant:
                // neither is written to the host's disk by a log driver.
                LogConfig = new LogConfig { Type = "none" },
                AutoRemove = false,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            },
        };
    }

    /// <summary>The image's own user when it is a numeric, non-root uid (and gid); otherwise nobody.</summary>
    /// <remarks>A user name could map to uid 0 in the image's own /etc/passwd, so names are not trusted.</remarks>
    internal static string ChooseUser(string? imageUser)
    {
        if (string.IsNullOrWhiteSpace(imageUser))
        {
            return NobodyUser;
        }

        var parts = imageUser.Split(':');
        return parts.Length <= 2 && parts.All(p => long.TryParse(p, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            ? imageUser
            : NobodyUser;
    }

    private static string LoadSeccompProfile()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Smcp.Sandbox.runc-seccomp.json")
            ?? throw new InvalidOperationException("The seccomp profile is missing from the Smcp.Sandbox assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
