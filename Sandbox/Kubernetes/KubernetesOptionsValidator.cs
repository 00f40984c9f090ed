namespace Smcp.Sandbox.Kubernetes;

/// <summary>Checks <see cref="KubernetesSandboxOptions"/>, each error naming the smcp.yaml key to write.</summary>
internal static class KubernetesOptionsValidator
{
    public static IEnumerable<string> Validate(KubernetesSandboxOptions options)
    {
        if (!IsDnsLabel(options.Namespace))
        {
            yield return $"sandbox.kubernetes.namespace '{options.Namespace}' is not a namespace name: 1 to 63 lowercase letters, digits and '-', e.g. smcp-sandboxes.";
        }

        if (!IsDnsLabel(options.RuntimeClassName))
        {
            yield return $"sandbox.kubernetes.runtimeClassName '{options.RuntimeClassName}' is not a RuntimeClass name, e.g. gvisor.";
        }

        if (options.InCluster == options.Kubeconfig is { Length: > 0 })
        {
            yield return "sandbox.kubernetes needs exactly one of kubeconfig (a path, e.g. /etc/smcp/kubeconfig) or inCluster: true.";
        }

        if (options.Registry is not { Length: > 0 } registry || registry.Contains("://", StringComparison.Ordinal) || registry.EndsWith('/')
            || registry.Any(c => char.IsWhiteSpace(c) || char.IsAsciiLetterUpper(c) || c == '@'))
        {
            yield return "sandbox.kubernetes.registry must name the registry the cluster pulls vetted images from, as host[:port][/path], e.g. registry.internal:5000.";
        }

        if (options.CpuRequestRatio is not (> 0 and <= 1))
        {
            yield return "sandbox.kubernetes.cpuRequestRatio must be above 0 and at most 1, e.g. 0.1 (a tenth of the CPU limit is requested).";
        }

        if (options.PodStartTimeout <= TimeSpan.Zero)
        {
            yield return "sandbox.kubernetes.podStartTimeout must be positive, e.g. 2m.";
        }
    }

    private static bool IsDnsLabel(string? name) =>
        name is { Length: > 0 and <= 63 } && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
