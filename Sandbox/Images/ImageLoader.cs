using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Smcp.Sandbox.Engine;

/// <summary>Loads one tenant's vetted <c>docker save</c> archive through the Engine API, checks what the engine did, and gives it SMCP's name.</summary>
/// <remarks>
/// Loads run one at a time in the process, so the engine's tags taken before and after a load show what that load changed:
/// a tag outside <c>smcp/{tenant}/</c> that moved is put back and the load refused, and so is an image whose id is not the
/// vetted config's digest.
/// </remarks>
internal sealed class ImageLoader(IDockerClient docker, TimeSpan queueTimeout, ILogger logger)
{
    private const string LoadedId = "Loaded image ID: ";
    private const string LoadedTag = "Loaded image: ";
    private const string EngineRefused = "the container engine refused it (its reason is in SMCP's log)";
    private static readonly SemaphoreSlim OneLoadAtATime = new(1, 1);

    /// <remarks>
    /// <paramref name="cancellationToken"/> only cuts the wait for the load lock short: once the engine is loading, the load
    /// runs to its end whatever the client does, and on any failure the images it brought in are removed again, so nothing
    /// is left in the engine that no row names or counts.
    /// </remarks>
    public async Task<LoadedImage> LoadAsync(Stream tarball, string imageId, string tenant, string server, CancellationToken cancellationToken)
    {
        if (!await OneLoadAtATime.WaitAsync(queueTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new SandboxException(SandboxError.EngineBusy,
                $"Other images have been loading for over {queueTimeout.TotalSeconds:0.#} s (Sandbox:LoadQueueTimeout); upload again in a minute.");
        }

        var none = CancellationToken.None;
        EngineTags? before = null;
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            before = await EngineTags.TakeAsync(docker, none).ConfigureAwait(false);
            long size = 0;
            foreach (var name in await LoadArchiveAsync(tarball, none).ConfigureAwait(false))
            {
                var image = await docker.Images.InspectImageAsync(name, none).ConfigureAwait(false);
                loaded.Add(image.ID);
                size = image.ID == imageId ? image.Size : size;
            }

            var repository = $"smcp/{tenant}/{server}";
            var after = await EngineTags.TakeAsync(docker, none).ConfigureAwait(false);
            // Only the images the engine says this load brought count: an image someone else builds or pulls meanwhile,
            // and its tags, are none of this load's business.
            var moved = before.MovedOnto(after, loaded, $"smcp/{tenant}/");
            if (moved.Count > 0)
            {
                Log.LoadMovedTags(logger, tenant, server, string.Join(", ", moved.Select(m => m.Tag)));
                if (await EngineTags.RestoreAsync(docker, moved, none).ConfigureAwait(false) is { Count: > 0 } stuck)
                {
                    Log.TagsNotRestored(logger, tenant, server, string.Join(", ", stuck));
                }

                throw Invalid($"loading it changed {moved.Count} of the engine's image names outside smcp/{tenant}/ (they were put back)", null);
            }

            if (loaded.Count != 1 || !loaded.Contains(imageId))
            {
                Log.LoadedOtherImage(logger, tenant, server, imageId, string.Join(", ", loaded));
                throw Invalid(loaded.Count == 0 ? "it holds no image" : $"the engine loaded {string.Join(", ", loaded)}, not the vetted image {imageId}", null);
            }

            var tag = imageId["sha256:".Length..][..12];
            await docker.Images.TagImageAsync(imageId, new ImageTagParameters { RepositoryName = repository, Tag = tag, Force = true }, none)
                .ConfigureAwait(false);

            var result = new LoadedImage(imageId, $"{repository}:{tag}", size);
            Log.ImageLoaded(logger, result.Id, tenant, server, result.Reference);
            return result;
        }
        catch (Exception) when (before is not null)
        {
            await RemoveNewAsync(loaded, before).ConfigureAwait(false);
            throw;
        }
        finally
        {
            OneLoadAtATime.Release();
        }
    }

    /// <summary>Streams the archive to the engine; the ids and names the engine says it loaded.</summary>
    private async Task<List<string>> LoadArchiveAsync(Stream tarball, CancellationToken cancellationToken)
    {
        var progress = new LoadProgress();
        try
        {
            await docker.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, tarball, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            // The engine's words can name host paths (its temp folders): they go to the log, not to the tenant.
            Log.EngineRefusedLoad(logger, ex, LoadProgress.FirstLine(ex.ResponseBody) ?? ex.StatusCode.ToString());
            throw Invalid(EngineRefused, ex);
        }

        if (progress.Error is { } error)
        {
            Log.EngineRefusedLoad(logger, null, error);
            throw Invalid(EngineRefused, null);
        }

        var names = new List<string>();
        foreach (var line in progress.Lines)
        {
            if (line.StartsWith(LoadedId, StringComparison.Ordinal))
            {
                names.Add(line[LoadedId.Length..].Trim());
            }
            else if (line.StartsWith(LoadedTag, StringComparison.Ordinal))
            {
                names.Add(line[LoadedTag.Length..].Trim());
            }
        }

        return names;
    }

    /// <summary>Removes the images this load brought into the engine; ones that were there before stay.</summary>
    private async Task RemoveNewAsync(IEnumerable<string> loaded, EngineTags before)
    {
        foreach (var id in loaded.Where(id => !before.Ids.Contains(id)))
        {
            try
            {
                await docker.Images.DeleteImageAsync(id, new ImageDeleteParameters { Force = true }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                Log.LoadedImageNotRemoved(logger, ex, id);
            }
        }
    }

    private static SandboxException Invalid(string why, Exception? inner) =>
        new(SandboxError.InvalidImage, $"The upload is not a loadable image: {why}.", inner);
}
