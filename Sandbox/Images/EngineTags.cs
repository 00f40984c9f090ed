using Docker.DotNet;
using Docker.DotNet.Models;

namespace Smcp.Sandbox.Engine;

/// <summary>The engine's image ids and every tag (<c>repository:tag</c> to image id) at one moment.</summary>
internal sealed record EngineTags(IReadOnlyDictionary<string, string> Tags, IReadOnlySet<string> Ids)
{
    private const string NoTag = "<none>:<none>";

    public static async Task<EngineTags> TakeAsync(IDockerClient docker, CancellationToken cancellationToken)
    {
        var images = await docker.Images.ListImagesAsync(new ImagesListParameters { All = true }, cancellationToken).ConfigureAwait(false);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            foreach (var tag in (image.RepoTags ?? []).Where(t => t != NoTag))
            {
                tags[tag] = image.ID;
            }
        }

        return new EngineTags(tags, images.Select(i => i.ID).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// Tags outside <paramref name="ownPrefix"/> that now point at one of <paramref name="loaded"/> and did not before, with
    /// the image each pointed at before (null: the tag is new). A load can only add or move tags onto the images it loads, so
    /// changes elsewhere (another process untagging, say) are not its doing.
    /// </summary>
    public IReadOnlyList<(string Tag, string? Before)> MovedOnto(EngineTags after, IReadOnlySet<string> loaded, string ownPrefix) =>
        after.Tags
            .Where(t => !t.Key.StartsWith(ownPrefix, StringComparison.Ordinal) && loaded.Contains(t.Value))
            .Where(t => !Tags.TryGetValue(t.Key, out var before) || before != t.Value)
            .Select(t => (t.Key, Tags.TryGetValue(t.Key, out var before) ? before : null))
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>Puts each tag back where it pointed before, or removes it when it is new; the tags that could not be are returned.</summary>
    public static async Task<IReadOnlyList<string>> RestoreAsync(
        IDockerClient docker, IReadOnlyList<(string Tag, string? Before)> moved, CancellationToken cancellationToken)
    {
        var failed = new List<string>();
        foreach (var (tag, before) in moved)
        {
            try
            {
                if (before is null)
                {
                    await docker.Images.DeleteImageAsync(tag, new ImageDeleteParameters { NoPrune = true }, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var split = tag.LastIndexOf(':');
                await docker.Images.TagImageAsync(before, new ImageTagParameters { RepositoryName = tag[..split], Tag = tag[(split + 1)..], Force = true }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (DockerApiException)
            {
                failed.Add(tag);
            }
        }

        return failed;
    }
}
