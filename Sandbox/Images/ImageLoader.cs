using System.IO.Pipelines;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Smcp.Sandbox.Engine;

/// <summary>Loads one tenant's <c>docker save</c> tarball through the Engine API and gives it SMCP's name.</summary>
internal sealed class ImageLoader(IDockerClient docker, ILogger logger)
{
    private const string LoadedId = "Loaded image ID: ";
    private const string LoadedTag = "Loaded image: ";

    public async Task<LoadedImage> LoadAsync(Stream tarball, string tenant, string server, CancellationToken cancellationToken)
    {
        var progress = new CollectingProgress();
        var pipe = new Pipe();
        var untagging = UntagAsync(tarball, pipe.Writer, cancellationToken);
        try
        {
            await using var untagged = pipe.Reader.AsStream();
            await docker.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, untagged, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            throw Invalid(await untagging.ConfigureAwait(false) ?? FirstLine(ex.ResponseBody) ?? "the engine refused it", ex);
        }

        if (await untagging.ConfigureAwait(false) is { } unreadable)
        {
            throw Invalid(unreadable, null);
        }

        if (progress.Error is { } error)
        {
            throw Invalid(error, null);
        }

        var loaded = new List<string>();
        foreach (var line in progress.Lines)
        {
            if (line.StartsWith(LoadedId, StringComparison.Ordinal))
            {
                loaded.Add(line[LoadedId.Length..].Trim());
            }
            else if (line.StartsWith(LoadedTag, StringComparison.Ordinal))
            {
                loaded.Add(line[LoadedTag.Length..].Trim());
            }
        }

        if (loaded.Count == 0)
        {
            throw Invalid("it holds no image", null);
        }

        var images = new Dictionary<string, ImageInspectResponse>(StringComparer.Ordinal);
        foreach (var name in loaded)
        {
            var inspect = await docker.Images.InspectImageAsync(name, cancellationToken).ConfigureAwait(false);
            images.TryAdd(inspect.ID, inspect);
        }

        if (images.Count != 1)
        {
            throw Invalid($"it holds {images.Count} images; upload one image per tarball", null);
        }

        var image = images.Values.Single();
        var repository = $"smcp/{tenant}/{server}";
        var tag = image.ID["sha256:".Length..][..12];
        await docker.Images.TagImageAsync(image.ID, new ImageTagParameters { RepositoryName = repository, Tag = tag, Force = true }, cancellationToken)
            .ConfigureAwait(false);

        var result = new LoadedImage(image.ID, $"{repository}:{tag}", image.Size);
        Log.ImageLoaded(logger, result.Id, tenant, server, result.Reference);
        return result;
    }

    /// <summary>Feeds the engine the tarball without its names; a value when the tarball is not one.</summary>
    private static async Task<string?> UntagAsync(Stream tarball, PipeWriter writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await using var destination = writer.AsStream();
            await UntaggedTarball.CopyAsync(tarball, destination, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or System.Text.Json.JsonException or EndOfStreamException or ArgumentException)
        {
            // Ends the engine's input short, so the load fails; this reason is the one reported.
            await writer.CompleteAsync().ConfigureAwait(false);
            return "it is not a readable tar archive";
        }
    }

    private static SandboxException Invalid(string why, Exception? inner) =>
        new(SandboxError.InvalidImage, $"The upload is not a loadable image: {why}.", inner);

    private static string? FirstLine(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        var text = body.Trim();
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(text);
            if (json.RootElement.TryGetProperty("message", out var message))
            {
                text = message.GetString() ?? text;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: use the body as it is.
        }

        return text.Split('\n')[0].TrimEnd('.');
    }

    private sealed class CollectingProgress : IProgress<JSONMessage>
    {
        private readonly Lock _lock = new();

        public List<string> Lines { get; } = [];

        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            lock (_lock)
            {
                if (!string.IsNullOrEmpty(value.ErrorMessage) || value.Error is not null)
                {
                    Error ??= value.Error?.Message ?? value.ErrorMessage;
                }

                if (!string.IsNullOrEmpty(value.Stream))
                {
                    Lines.Add(value.Stream);
                }
            }
        }
    }
}
