using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smcp.Sandbox.Engine;
using Smcp.Sandbox.Kubernetes;
using Smcp.Sandbox.Pool;
using Smcp.Sandbox.Telemetry;

namespace Smcp.Sandbox;

public static class SandboxServiceCollectionExtensions
{
    /// <summary>Adds the sandbox engine (Docker, or Kubernetes when <see cref="SandboxOptions.Engine"/> says so), the warm pool, its metrics and start-up reconciliation.</summary>
    public static IServiceCollection AddSmcpSandbox(this IServiceCollection services, Action<SandboxOptions>? configure = null)
    {
        var options = services.AddOptions<SandboxOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>());
        options.ValidateOnStart();
        services.TryAddSingleton<IDockerClient>(sp => CreateDockerClient(sp.GetRequiredService<IOptions<SandboxOptions>>().Value));
        services.TryAddSingleton<ISandboxEngine>(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<SandboxOptions>>();
            var loggers = sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>();
            return settings.Value.Engine == SandboxEngines.Kubernetes
                ? new KubernetesSandboxEngine(CreateKubernetesClient(settings.Value.Kubernetes), settings, loggers)
                : new DockerSandboxEngine(sp.GetRequiredService<IDockerClient>(), settings, loggers);
        });
        services.TryAddSingleton<WarmPool>();
        services.TryAddSingleton<SandboxMetrics>();
        services.AddHostedService<SandboxStartup>();
        return services;
    }

    /// <summary>A client pinned to Engine API 1.41 (Docker 20.10 rejects newer versions).</summary>
    public static IDockerClient CreateDockerClient(SandboxOptions options) =>
        new DockerClientConfiguration(new Uri(options.DockerEndpoint)).CreateClient(new System.Version(1, 41));

    /// <summary>A client for the cluster <paramref name="options"/> names: its kubeconfig file (and context), or the pod's service account.</summary>
    public static k8s.IKubernetes CreateKubernetesClient(KubernetesSandboxOptions options) => new k8s.Kubernetes(
        options.InCluster
            ? k8s.KubernetesClientConfiguration.InClusterConfig()
            : k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig, options.Context));

    /// <summary>Creates the Kubernetes engine without a host, for tools and tests.</summary>
    public static ISandboxEngine CreateKubernetesEngine(k8s.IKubernetes client, SandboxOptions options, Microsoft.Extensions.Logging.ILoggerFactory loggers) =>
        new KubernetesSandboxEngine(client, Options.Create(options), loggers);

    /// <summary>Creates the engine without a host, for tools and tests.</summary>
    public static ISandboxEngine CreateEngine(IDockerClient docker, SandboxOptions options, Microsoft.Extensions.Logging.ILoggerFactory loggers) =>
        new DockerSandboxEngine(docker, Options.Create(options), loggers);
}
