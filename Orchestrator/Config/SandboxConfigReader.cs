using Smcp.Sandbox;
using Smcp.Sandbox.Kubernetes;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>The sandbox engine of smcp.yaml: <c>sandbox: { engine: docker | kubernetes, kubernetes: { … } }</c>; read at start-up.</summary>
internal static class SandboxConfigReader
{
    public const string Key = "sandbox";
    private static readonly string[] Keys = ["engine", "kubernetes"];
    private static readonly string[] KubernetesKeys = ["namespace", "runtimeClassName", "kubeconfig", "context", "inCluster", "registry", "cpuRequestRatio", "podStartTimeout"];

    private static readonly Dictionary<string, string> Engines = new(StringComparer.Ordinal)
    {
        [SandboxEngines.Docker] = SandboxEngines.Docker,
        [SandboxEngines.Kubernetes] = SandboxEngines.Kubernetes,
    };

    private static readonly Dictionary<string, bool> Booleans = new(StringComparer.Ordinal) { ["true"] = true, ["false"] = false };

    public static SandboxConfig Read(NodeReader reader, YamlNode node)
    {
        var config = new SandboxConfig();
        if (reader.Mapping(node, Key, Keys) is not { } set)
        {
            return config;
        }

        if (set.GetValueOrDefault("engine") is { } engineNode && reader.TryChoice(engineNode, "sandbox.engine", "an engine", Engines, out var engine))
        {
            config = config with { Engine = engine };
        }

        var kubernetesNode = set.GetValueOrDefault("kubernetes");
        var kubernetes = kubernetesNode is null ? new KubernetesSandboxOptions() : ReadKubernetes(reader, kubernetesNode);
        if (config.Engine == SandboxEngines.Kubernetes)
        {
            foreach (var error in kubernetes.Validate())
            {
                if (kubernetesNode is null)
                {
                    reader.Error(node, "sandbox.kubernetes", error);
                }
                else
                {
                    reader.Error(kubernetesNode, "sandbox.kubernetes", error);
                }
            }
        }

        return config with { Kubernetes = kubernetes };
    }

    private static KubernetesSandboxOptions ReadKubernetes(NodeReader reader, YamlNode node)
    {
        var options = new KubernetesSandboxOptions();
        if (reader.Mapping(node, "sandbox.kubernetes", KubernetesKeys) is not { } set)
        {
            return options;
        }

        string? Text(string key) => set.GetValueOrDefault(key) is { } value ? reader.Text(value, "sandbox.kubernetes." + key, "a word") : null;
        options.Namespace = Text("namespace") ?? options.Namespace;
        options.RuntimeClassName = Text("runtimeClassName") ?? options.RuntimeClassName;
        options.Kubeconfig = Text("kubeconfig");
        options.Context = Text("context");
        options.Registry = Text("registry");
        if (set.GetValueOrDefault("inCluster") is { } inCluster && reader.TryChoice(inCluster, "sandbox.kubernetes.inCluster", "true or false", Booleans, out var yes))
        {
            options.InCluster = yes;
        }

        if (set.GetValueOrDefault("cpuRequestRatio") is { } ratioNode && reader.Number(ratioNode, "sandbox.kubernetes.cpuRequestRatio", 0, 1) is { } ratio)
        {
            options.CpuRequestRatio = ratio;
        }

        if (set.GetValueOrDefault("podStartTimeout") is { } timeout
            && reader.Duration(timeout, "sandbox.kubernetes.podStartTimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30)) is { } podStart)
        {
            options.PodStartTimeout = podStart;
        }

        return options;
    }
}
