namespace Smcp.Sandbox.Kubernetes;

/// <summary>On Kubernetes a sandbox runs only a vetted image named by digest in SMCP's registry, under its own tenant and server.</summary>
internal static class VettedReference
{
    private const string DigestMark = "@sha256:";
    private const int DigestHexLength = 64;

    /// <summary>The only reference a sandbox of <paramref name="tenant"/>'s <paramref name="server"/> may run, for <paramref name="digest"/> (<c>sha256:…</c>).</summary>
    public static string For(string registry, string tenant, string server, string digest) => $"{registry}/smcp/{tenant}/{server}@{digest}";

    /// <exception cref="SandboxException">The image is named by tag, by another registry or repository, or by a malformed digest.</exception>
    public static void Check(SandboxSpec spec, KubernetesSandboxOptions options)
    {
        var prefix = $"{options.Registry}/smcp/{spec.Tenant}/{spec.Server}{DigestMark}";
        var image = spec.Image;
        if (image.StartsWith(prefix, StringComparison.Ordinal)
            && image.Length == prefix.Length + DigestHexLength
            && image.AsSpan(prefix.Length).ContainsAnyExcept("0123456789abcdef") is false)
        {
            return;
        }

        throw new SandboxException(
            SandboxError.InvalidImage,
            $"On Kubernetes a sandbox runs only its vetted image by digest, {prefix}<64 hex digits>; '{image}' is not that (sandbox.kubernetes.registry in smcp.yaml).");
    }
}
