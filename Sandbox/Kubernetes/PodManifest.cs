using System.Globalization;
using k8s.Models;
using Smcp.Sandbox.Engine;

namespace Smcp.Sandbox.Kubernetes;

/// <summary>Turns a <see cref="SandboxSpec"/> into the pod SMCP creates for it, hardened as the Docker path is, and the NetworkPolicy around all of them.</summary>
/// <remarks>
/// What the pod spec cannot say is left to the node: a pids limit (kubelet <c>podPidsLimit</c>) and the open-files
/// ulimit (the container runtime's default); README "Sandboxes on Kubernetes" says so.
/// </remarks>
internal static class PodManifest
{
    public const string ContainerName = "mcp";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "smcp";
    private const long NobodyId = 65534;
    private const string TmpVolume = "tmp";
    private const string RuntimeDefault = "RuntimeDefault";

    /// <summary>The pod's name: DNS-1123, and unique, from the sandbox's own id.</summary>
    public static string PodName(string sandboxId) => "smcp-" + sandboxId;

    public static V1Pod Pod(SandboxSpec spec, SandboxOptions options, string sandboxId)
    {
        var kubernetes = options.Kubernetes;
        var runtime = spec.Runtime ?? options.DefaultRuntime;
        var (uid, gid) = RunAs(spec.User);
        var memory = new ResourceQuantity(spec.Limits.MemoryBytes.ToString(CultureInfo.InvariantCulture));
        var limits = new Dictionary<string, ResourceQuantity> { ["memory"] = memory };
        var requests = new Dictionary<string, ResourceQuantity> { ["memory"] = memory };
        if (spec.Limits.Cpus is { } cpus)
        {
            var milli = (long)Math.Ceiling(cpus * 1000);
            limits["cpu"] = Millicores(milli);
            requests["cpu"] = Millicores(Math.Max(1, (long)Math.Ceiling(milli * kubernetes.CpuRequestRatio)));
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = PodName(sandboxId),
                NamespaceProperty = kubernetes.Namespace,
                Labels = Labels(spec, options.InstanceId, sandboxId),
            },
            Spec = new V1PodSpec
            {
                // runc has no RuntimeClass of its own: the cluster's default runtime, narrowed by RuntimeDefault seccomp.
                RuntimeClassName = runtime == SandboxRuntimes.Gvisor ? kubernetes.RuntimeClassName : null,
                RestartPolicy = "Never",
                AutomountServiceAccountToken = false,
                EnableServiceLinks = false,
                HostNetwork = false,
                HostPID = false,
                HostIPC = false,
                ShareProcessNamespace = false,
                TerminationGracePeriodSeconds = (long)Math.Ceiling(options.StopGracePeriod.TotalSeconds),
                SecurityContext = new V1PodSecurityContext
                {
                    RunAsNonRoot = true,
                    RunAsUser = uid,
                    RunAsGroup = gid,
                    SeccompProfile = new V1SeccompProfile { Type = RuntimeDefault },
                },
                Containers =
                [
                    new V1Container
                    {
                        Name = ContainerName,
                        Image = spec.Image,
                        // The image is named by digest: what the node has is what was vetted, and nothing is pulled twice.
                        ImagePullPolicy = "IfNotPresent",
                        Command = spec.Entrypoint?.ToList(),
                        Args = spec.Args?.ToList(),
                        Env = spec.Env.Count == 0 ? null : spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new V1EnvVar { Name = e.Key, Value = e.Value }).ToList(),
                        WorkingDir = spec.WorkingDir,
                        Stdin = true,
                        StdinOnce = false,
                        Tty = false,
                        TerminationMessagePolicy = "File",
                        SecurityContext = new V1SecurityContext
                        {
                            RunAsNonRoot = true,
                            RunAsUser = uid,
                            RunAsGroup = gid,
                            ReadOnlyRootFilesystem = true,
                            AllowPrivilegeEscalation = false,
                            Privileged = false,
                            Capabilities = new V1Capabilities { Drop = ["ALL"] },
                            SeccompProfile = new V1SeccompProfile { Type = RuntimeDefault },
                        },
                        // Memory requested as limited, so a node never overcommits it; CPU a share of the limit (CpuRequestRatio).
                        Resources = new V1ResourceRequirements { Limits = limits, Requests = requests },
                        VolumeMounts = [new V1VolumeMount { Name = TmpVolume, MountPath = "/tmp" }],
                    },
                ],
                // The tmpfs /tmp of the Docker path: memory-backed, its size counted against the memory limit.
                Volumes =
                [
                    new V1Volume
                    {
                        Name = TmpVolume,
                        EmptyDir = new V1EmptyDirVolumeSource
                        {
                            Medium = "Memory",
                            SizeLimit = new ResourceQuantity(spec.Limits.TmpfsBytes.ToString(CultureInfo.InvariantCulture)),
                        },
                    },
                ],
            },
        };
    }

    private static ResourceQuantity Millicores(long milli) => new(string.Create(CultureInfo.InvariantCulture, $"{milli}m"));

    /// <summary>Denies all ingress and all egress to every pod of this installation: a sandbox reaches no network, and nothing reaches it.</summary>
    public static V1NetworkPolicy DenyAll(SandboxOptions options) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta
        {
            Name = NetworkPolicyName(options.InstanceId),
            NamespaceProperty = options.Kubernetes.Namespace,
            Labels = new Dictionary<string, string> { [ContainerSpecFactory.InstanceLabel] = options.InstanceId, [ManagedByLabel] = ManagedBy },
        },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [ContainerSpecFactory.InstanceLabel] = options.InstanceId } },
            PolicyTypes = ["Ingress", "Egress"],
            Ingress = [],
            Egress = [],
        },
    };

    public static string NetworkPolicyName(string instanceId) => "smcp-deny-all-" + instanceId.ToLowerInvariant().Replace('_', '-').Replace('.', '-');

    /// <summary>The label selector of every pod this installation made.</summary>
    public static string InstanceSelector(string instanceId) => $"{ContainerSpecFactory.InstanceLabel}={instanceId}";

    private static Dictionary<string, string> Labels(SandboxSpec spec, string instanceId, string sandboxId) => new()
    {
        [ContainerSpecFactory.TenantLabel] = spec.Tenant,
        [ContainerSpecFactory.ServerLabel] = spec.Server,
        [ContainerSpecFactory.SessionLabel] = sandboxId,
        [ContainerSpecFactory.InstanceLabel] = instanceId,
        [ManagedByLabel] = ManagedBy,
    };

    /// <summary>A numeric, non-root <c>uid[:gid]</c> from the spec; otherwise nobody (an image's own user cannot be read before the pod runs).</summary>
    private static (long Uid, long Gid) RunAs(string? user)
    {
        var chosen = ContainerSpecFactory.ChooseUser(user);
        var parts = chosen.Split(':');
        var uid = long.Parse(parts[0], CultureInfo.InvariantCulture);
        return (uid, parts.Length == 2 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : uid == NobodyId ? NobodyId : uid);
    }
}
