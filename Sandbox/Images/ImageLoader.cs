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
internal sealed class ImageLoader(IDockerClient docker, ILogger logger)
{
    private const string LoadedId = "Loaded image ID: ";
    private const string LoadedTag = "Loaded image: ";
    private static readonly SemaphoreSlim OneLoadAtATime = new(1, 1);

    public async Task<LoadedImage> LoadAsync(Stream tarball, string imageId, string tenant, string server, CancellationToken cancellationToken)
    {
        await OneLoadAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = await EngineTags.TakeAsync(docker, cancellationToken).ConfigureAwait(false);
            var names = await LoadArchiveAsync(tarball, cancellationToken).ConfigureAwait(false);
            var loaded = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                loaded.Add((await docker.Images.InspectImageAsync(name, cancellationToken).ConfigureAwait(false)).ID);
            }

            var repository = $"smcp/{tenant}/{server}";
            var after = await EngineTags.TakeAsync(docker, cancellationToken).ConfigureAwait(false);
            var moved = before.MovedOnto(after, loaded.Union(after.Ids.Except(before.Ids)).ToHashSet(StringComparer.Ordinal), $"smcp/{tenant}/");
            if (moved.Count > 0)
            {
                Log.LoadMovedTags(logger, tenant, server, string.Join(", ", moved.Select(m => m.Tag)));
                if (await EngineTags.RestoreAsync(docker, moved, CancellationToken.None).ConfigureAwait(false) is { Count: > 0 } stuck)
                {
                    Log.TagsNotRestored(logger, tenant, server, string.Join(", ", stuck));
                }

                await RemoveNewAsync(loaded, before).ConfigureAwait(false);
                throw Invalid($"loading it changed {moved.Count} of the engine's image names outside smcp/{tenant}/ (they were put back)", null);
            }

            if (loaded.Count != 1 || !loaded.Contains(imageId))
            {
                Log.LoadedOtherImage(logger, tenant, server, imageId, string.Join(", ", loaded));
                await RemoveNewAsync(loaded, before).ConfigureAwait(false);
                throw Invalid(loaded.Count == 0 ? "it holds no image" : $"the engine loaded {string.Join(", ", loaded)}, not the vetted image {imageId}", null);
            }

            var inspect = await docker.Images.InspectImageAsync(imageId, cancellationToken).ConfigureAwait(false);
            var tag = imageId["sha256:".Length..][..12];
            await docker.Images.TagImageAsync(imageId, new ImageTagParameters { RepositoryName = repository, Tag = tag, Force = true }, cancellationToken)
                .ConfigureAwait(false);

            var result = new LoadedImage(imageId, $"{repository}:{tag}", inspect.Size);
            Log.ImageLoaded(logger, result.Id, tenant, server, result.Reference);
            return result;
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
            throw Invalid(LoadProgress.FirstLine(ex.ResponseBody) ?? "the engine refused it", ex);
        }

        if (progress.Error is { } error)
        {
            throw Invalid(error, null);
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
