namespace Smcp.Sandbox;

/// <summary>The sandbox engines SMCP has.</summary>
public static class SandboxEngines
{
    public const string Docker = "docker";
    public const string Kubernetes = "kubernetes";

    public static bool IsKnown(string engine) => engine is Docker or Kubernetes;
}
