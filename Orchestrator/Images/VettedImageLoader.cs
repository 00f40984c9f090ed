using System.IO.Pipelines;
using Smcp.Orchestrator.Images.Vetting;
using Smcp.Sandbox;

namespace Smcp.Orchestrator.Images;

/// <summary>Hands the engine the canonical archive of a vetted image, written as the engine reads it (nothing more on disk).</summary>
internal static class VettedImageLoader
{
    public static async Task<LoadedImage> LoadAsync(
        ISandboxEngine engine, VettedImage image, string tenant, string server, CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        // Not linked to the request: once the engine has started loading, a client that leaves must not cut the
        // archive short (the engine would be left with whatever it had registered); the loader stops it on failure.
        using var stop = new CancellationTokenSource();
        var writing = WriteAsync(image, pipe.Writer, stop.Token);
        try
        {
            await using var archive = pipe.Reader.AsStream();
            return await engine.LoadImageAsync(archive, image.ImageId, tenant, server, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A load that failed early stops reading: end the writer rather than let it wait on the pipe.
            await stop.CancelAsync().ConfigureAwait(false);
            await writing.ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(VettedImage image, PipeWriter writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await using (var destination = writer.AsStream(leaveOpen: true))
            {
                await CanonicalArchive.WriteAsync(image, destination, cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The engine sees its input fail and refuses the load; that refusal is what is reported. A bug still
            // ends the engine's input (or the load would wait for it forever), and is thrown on.
            await writer.CompleteAsync(ex).ConfigureAwait(false);
            if (ex is not (OperationCanceledException or IOException))
            {
                throw;
            }
        }
    }
}
