using System.Text.Json;
using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Images;
using Smcp.Orchestrator.Images.Vetting;
using Smcp.Sandbox;

namespace Smcp.Orchestrator.Api;

internal sealed record ImageResponse(string Image, string Reference, long SizeBytes, DateTimeOffset CreatedAt, JsonElement Vetting);

/// <summary><c>/v1/tenants/{tenant}/images</c>: upload (vetted, then loaded), list, delete.</summary>
internal static class ImagesApi
{
    private const string UploadRetryAfterSeconds = "5";
    private const string LoadRetryAfterSeconds = "60";

    public static void MapImages(this RouteGroupBuilder tenant)
    {
        tenant.MapPost("/images", UploadAsync)
            .Accepts<Stream>("application/x-tar")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute())
            .WithSummary("Upload a `docker save` tarball; it is vetted, then loaded");
        tenant.MapGet("/images", ListAsync).WithSummary("List the tenant's images");
        tenant.MapDelete("/images/{image}", DeleteAsync).WithSummary("Delete an image no server runs");
    }

    private static async Task<IResult> UploadAsync(
        string tenant, string? server, HttpContext context, ConfigMonitor config, ImageStore images, UploadReservations reservations,
        UploadSpooler spooler, ImageVetter vetter, ISandboxEngine engine, Docker.DotNet.IDockerClient docker, CancellationToken ct)
    {
        var name = server ?? "image";
        if (!TenantId.IsValid(name))
        {
            return Problems.BadRequest($"'{name}' is not a valid server name: use lowercase letters, digits and '-'.");
        }

        var smcp = config.Current;
        var quotas = smcp.FindTenant(tenant)!.Quotas;
        var stored = (await images.ListAsync(tenant, ct).ConfigureAwait(false)).Sum(i => i.SizeBytes);
        var reservation = reservations.TryReserve(tenant, quotas.MaxConcurrentUploads, quotas.MaxImageBytes, quotas.TotalImageBytes, stored);
        if (reservation is UploadReservation.Busy busy)
        {
            await context.RecordAsync(tenant, "image.upload", null, "busy").ConfigureAwait(false);
            context.Response.Headers.RetryAfter = UploadRetryAfterSeconds;
            return Problems.TooManyRequests($"The tenant already has {busy.InFlight} uploads in flight (maxConcurrentUploads {quotas.MaxConcurrentUploads}); try again when one is done.");
        }

        if (reservation is UploadReservation.NoRoom room)
        {
            await context.RecordAsync(tenant, "image.upload", null, "quota").ConfigureAwait(false);
            return Problems.QuotaExceeded(
                $"The tenant's images take {room.StoredBytes} and uploads in flight hold {room.InFlightBytes} of {quotas.TotalImageBytes} bytes (totalImageBytes); delete some first.");
        }

        using var lease = ((UploadReservation.Granted)reservation).Lease;
        var cap = lease.CapBytes;
        var spooled = await spooler.SpoolAsync(context.Request.Body, cap, ct).ConfigureAwait(false);
        if (spooled is SpoolResult.OverLimit over && cap < quotas.MaxImageBytes)
        {
            // The image may be a size one upload may have; the tenant's storage quota is what is used up (RFC 9110: 403, not 413).
            await context.RecordAsync(tenant, "image.upload", null, "quota").ConfigureAwait(false);
            return Problems.QuotaExceeded(
                $"{over.Message}: that is the room left under totalImageBytes {quotas.TotalImageBytes} counting stored images and uploads in flight; delete some images first.");
        }

        if (spooled is SpoolResult.OverLimit tooLarge)
        {
            await context.RecordAsync(tenant, "image.upload", null, "too-large").ConfigureAwait(false);
            return Problems.TooLarge($"{tooLarge.Message} (maxImageBytes {quotas.MaxImageBytes}).");
        }

        if (spooled is SpoolResult.DiskFull full)
        {
            await context.RecordAsync(tenant, "image.upload", null, "disk-full").ConfigureAwait(false);
            return Problems.InsufficientStorage(full.Message);
        }

        using var upload = ((SpoolResult.Spooled)spooled).Upload;
        lease.ShrinkTo(upload.Length);

        // Vetting keeps a copy of each layer next to the upload: at most the upload's size again, set aside until done.
        using var copies = spooler.Promise(upload.Length);
        if (copies is null)
        {
            await context.RecordAsync(tenant, "image.upload", null, "disk-full").ConfigureAwait(false);
            return Problems.InsufficientStorage(spooler.DiskFull.Message);
        }

        using var layers = new LayerSpool(upload.Path);
        VettingOutcome vetted;
        await using (var read = upload.OpenRead())
        {
            var policy = VettingPolicy.Default with { MaxBytes = cap, OnSuspiciousEnv = smcp.Vetting.OnSuspiciousEnv };
            vetted = await vetter.VetAsync(read, policy, layers, ct).ConfigureAwait(false);
        }

        var report = vetted.Report;
        var reportJson = JsonSerializer.SerializeToElement(report, VettingJsonContext.Default.VettingReport);
        if (vetted.Image is not { } image)
        {
            await context.RecordAsync(tenant, "image.upload", null, "rejected").ConfigureAwait(false);
            return Problems.Unprocessable(
                "The image was rejected by vetting: " + string.Join("; ", report.Findings.Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Message).Take(5)),
                new Dictionary<string, object?> { ["vetting"] = reportJson });
        }

        LoadedImage loaded;
        try
        {
            loaded = await VettedImageLoader.LoadAsync(engine, image, tenant, name, ct).ConfigureAwait(false);
        }
        catch (SandboxException ex) when (ex.Error == SandboxError.InvalidImage)
        {
            await context.RecordAsync(tenant, "image.upload", null, "invalid").ConfigureAwait(false);
            return Problems.Unprocessable(ex.Message);
        }
        catch (SandboxException ex) when (ex.Error == SandboxError.Unsupported)
        {
            // The Kubernetes engine: images reach the cluster through its registry, which uploads do not push to yet.
            await context.RecordAsync(tenant, "image.upload", null, "unsupported").ConfigureAwait(false);
            return Problems.NotImplemented(ex.Message);
        }
        catch (SandboxException ex) when (ex.Error == SandboxError.EngineBusy)
        {
            await context.RecordAsync(tenant, "image.upload", null, "busy").ConfigureAwait(false);
            context.Response.Headers.RetryAfter = LoadRetryAfterSeconds;
            return Problems.ServiceUnavailable(ex.Message);
        }

        var row = new ImageRow
        {
            TenantId = tenant,
            Id = loaded.Id["sha256:".Length..][..12],
            DockerId = loaded.Id,
            Reference = loaded.Reference,
            SizeBytes = upload.Length,
            VettingJson = reportJson.GetRawText(),
        };
        // From here on the client going away must not leave the loaded image tagged but unrecorded.
        var added = await images.AddAsync(row, quotas.TotalImageBytes, CancellationToken.None).ConfigureAwait(false);
        if (added.Outcome == StoreOutcome.QuotaExceeded)
        {
            // Another upload of this tenant took the room while this one was vetted and loaded.
            await UntagAsync(docker, loaded.Reference, context, CancellationToken.None).ConfigureAwait(false);
            await context.RecordAsync(tenant, "image.upload", null, "quota").ConfigureAwait(false);
            return Problems.QuotaExceeded($"With this image the tenant's images would take more than {quotas.TotalImageBytes} bytes (totalImageBytes); delete some first.");
        }

        var result = added.Value ?? await images.GetAsync(tenant, row.Id, ct).ConfigureAwait(false) ?? row;
        await context.RecordAsync(tenant, "image.upload", result.Id, "ok").ConfigureAwait(false);
        var response = ToResponse(result);
        return added.Outcome == StoreOutcome.Ok
            ? Results.Created($"/v1/tenants/{tenant}/images/{result.Id}", response)
            : Results.Ok(response);
    }

    private static async Task<IResult> ListAsync(string tenant, ImageStore images, CancellationToken ct) =>
        Results.Ok((await images.ListAsync(tenant, ct).ConfigureAwait(false)).Select(ToResponse));

    private static async Task<IResult> DeleteAsync(string tenant, string image, HttpContext context, ImageStore images, Docker.DotNet.IDockerClient docker, CancellationToken ct)
    {
        var row = await images.GetAsync(tenant, image, ct).ConfigureAwait(false);
        if (row is null)
        {
            return Problems.NotFound($"There is no image '{image}'.");
        }

        var outcome = await images.DeleteAsync(tenant, image, ct).ConfigureAwait(false);
        if (outcome == StoreOutcome.InUse)
        {
            return Problems.Conflict($"Image '{image}' is deployed; delete or redeploy the servers that run it first.");
        }

        await UntagAsync(docker, row.Reference, context, ct).ConfigureAwait(false);
        await context.RecordAsync(tenant, "image.delete", image, "ok").ConfigureAwait(false);
        return Results.NoContent();
    }

    /// <summary>Removes the tenant's name for an image; the engine drops the image once no tenant names it.</summary>
    private static async Task UntagAsync(Docker.DotNet.IDockerClient docker, string reference, HttpContext context, CancellationToken ct)
    {
        try
        {
            await docker.Images.DeleteImageAsync(reference, new Docker.DotNet.Models.ImageDeleteParameters(), ct).ConfigureAwait(false);
        }
        catch (Docker.DotNet.DockerImageNotFoundException)
        {
            // Already gone from the engine.
        }
        catch (Docker.DotNet.DockerApiException ex)
        {
            // Still used by a stopped container, say: the row is gone, the name goes with the next clean-up.
            Hosting.HostLog.ImageUntagFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Smcp.Orchestrator.Api"), ex, reference);
        }
    }

    private static ImageResponse ToResponse(ImageRow row)
    {
        using var vetting = JsonDocument.Parse(row.VettingJson);
        return new ImageResponse(row.Id, row.Reference, row.SizeBytes, row.CreatedAt, vetting.RootElement.Clone());
    }
}
