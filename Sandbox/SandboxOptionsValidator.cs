using Microsoft.Extensions.Options;

namespace Smcp.Sandbox;

internal sealed class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        var errors = new List<string>();
        if (!SandboxRuntimes.IsKnown(options.DefaultRuntime))
        {
            errors.Add($"Sandbox:DefaultRuntime is '{options.DefaultRuntime}'; allowed: runsc, runc.");
        }

        if (string.IsNullOrWhiteSpace(options.InstanceId) || options.InstanceId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            errors.Add("Sandbox:InstanceId must be non-empty and hold only letters, digits, '-', '_' or '.'.");
        }

        if (!Uri.TryCreate(options.DockerEndpoint, UriKind.Absolute, out _))
        {
            errors.Add($"Sandbox:DockerEndpoint '{options.DockerEndpoint}' is not an absolute URI (e.g. unix:///var/run/docker.sock).");
        }

        if (options.GvisorPidsLimit < 128)
        {
            errors.Add("Sandbox:GvisorPidsLimit must be at least 128: gVisor's own threads count against it.");
        }

        if (options.RuncPidsLimit < 8 || options.MaxMessageBytes < 1024 || options.StderrBufferBytes < 1024)
        {
            errors.Add("Sandbox:RuncPidsLimit must be at least 8, MaxMessageBytes and StderrBufferBytes at least 1024.");
        }

        if (options.StdoutBufferBytes < (long)options.MaxMessageBytes + Stdio.StdoutBuffer.MessageOverheadBytes)
        {
            errors.Add($"Sandbox:StdoutBufferBytes must be at least MaxMessageBytes + {Stdio.StdoutBuffer.MessageOverheadBytes} ({(long)options.MaxMessageBytes + Stdio.StdoutBuffer.MessageOverheadBytes}), so the longest message fits.");
        }

        if (options.WarmStdoutBufferBytes < 1024 || options.WarmStdoutBufferBytes > options.StdoutBufferBytes)
        {
            errors.Add("Sandbox:WarmStdoutBufferBytes must be at least 1024 and at most StdoutBufferBytes.");
        }

        if (options.StdoutFloodTimeout <= TimeSpan.Zero)
        {
            errors.Add("Sandbox:StdoutFloodTimeout must be positive (e.g. 00:00:05).");
        }

        if (options.LoadQueueTimeout <= TimeSpan.Zero)
        {
            errors.Add("Sandbox:LoadQueueTimeout must be positive (e.g. 00:02:00).");
        }

        if (!SandboxEngines.IsKnown(options.Engine))
        {
            errors.Add($"Sandbox:Engine is '{options.Engine}'; allowed: docker, kubernetes.");
        }
        else if (options.Engine == SandboxEngines.Kubernetes)
        {
            errors.AddRange(Kubernetes.KubernetesOptionsValidator.Validate(options.Kubernetes));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
