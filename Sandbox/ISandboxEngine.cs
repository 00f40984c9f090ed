namespace Smcp.Sandbox;

/// <summary>The container engine boundary: starts hardened sandboxes, loads images, clears leftovers.</summary>
public interface ISandboxEngine
{
    /// <summary>Creates, attaches to and starts a sandbox for <paramref name="spec"/> (a cold start) for a caller that reads it at once.</summary>
    /// <exception cref="SandboxException">The image is unknown, the runtime is missing, or the start timed out.</exception>
    Task<RunningSandbox> StartAsync(SandboxSpec spec, CancellationToken cancellationToken);

    /// <summary>Starts a sandbox that waits for a session (the warm pool): until it is claimed its unread stdout is held to <see cref="SandboxOptions.WarmStdoutBufferBytes"/>.</summary>
    /// <exception cref="SandboxException">The image is unknown, the runtime is missing, or the start timed out.</exception>
    Task<RunningSandbox> StartUnclaimedAsync(SandboxSpec spec, CancellationToken cancellationToken);

    /// <summary>Loads a <c>docker save</c> tarball of the one image <paramref name="imageId"/> and tags it <c>smcp/{tenant}/{server}:{short digest}</c>.</summary>
    /// <remarks>
    /// Loads run one at a time; one that changes a tag outside <c>smcp/{tenant}/</c> (put back) or yields another image id
    /// (removed) is refused.
    /// </remarks>
    /// <exception cref="SandboxException">The tarball is not a loadable image, or not the image <paramref name="imageId"/>.</exception>
    Task<LoadedImage> LoadImageAsync(Stream tarball, string imageId, string tenant, string server, CancellationToken cancellationToken);

    /// <summary>Removes every container labelled with this installation's id: sessions do not survive a restart.</summary>
    Task<int> RemoveOrphansAsync(CancellationToken cancellationToken);

    /// <summary>Fails with a message naming the setting to change when a configured runtime is missing from the engine.</summary>
    /// <exception cref="SandboxException">The engine does not answer or lacks the runtime.</exception>
    Task EnsureRuntimeAsync(string runtime, CancellationToken cancellationToken);
}

/// <summary>An image loaded for a tenant's server. Run it by <see cref="Id"/>: tags can be moved, ids cannot.</summary>
public sealed record LoadedImage(string Id, string Reference, long SizeBytes);
