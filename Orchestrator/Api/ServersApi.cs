using System.Text.RegularExpressions;
using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Secrets;
using Smcp.Orchestrator.Servers;
using Smcp.Sandbox.Pool;

namespace Smcp.Orchestrator.Api;

internal sealed record DeployRequest(string? Image, IReadOnlyList<string>? Args, IReadOnlyDictionary<string, string>? Env);

internal sealed record ServerResponse(string Server, string Image, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Env, string Url, DateTimeOffset UpdatedAt);

internal sealed record SecretRequest(string? Value);

/// <summary><c>/v1/tenants/{tenant}/servers</c>: deploy, read, delete; and each server's secrets.</summary>
internal static partial class ServersApi
{
    public static void MapServers(this RouteGroupBuilder tenant)
    {
        tenant.MapPut("/servers/{server}", DeployAsync).WithSummary("Deploy (or redeploy) an image as a server; returns its MCP URL");
        tenant.MapGet("/servers", ListAsync).WithSummary("List the tenant's servers");
        tenant.MapGet("/servers/{server}", GetAsync).WithSummary("Read one server");
        tenant.MapDelete("/servers/{server}", DeleteAsync).WithSummary("Delete a server; its warm sandboxes stop");
        tenant.MapGet("/servers/{server}/secrets", ListSecretsAsync).WithSummary("List a server's secret names (never values)");
        tenant.MapPut("/servers/{server}/secrets/{name}", SetSecretAsync).WithSummary("Set a secret, injected as an environment variable");
        tenant.MapDelete("/servers/{server}/secrets/{name}", DeleteSecretAsync).WithSummary("Delete a secret");
    }

    private static async Task<IResult> DeployAsync(
        string tenant, string server, DeployRequest? request, HttpContext context, ConfigMonitor config,
        ServerStore servers, ImageStore images, PoolWarmer warmer, CancellationToken ct)
    {
        if (!TenantId.IsValid(server))
        {
            return Problems.BadRequest($"'{server}' is not a valid server name: lowercase letters, digits and '-', at most 63.");
        }

        if (request?.Image is not { Length: > 0 } image)
        {
            return Problems.BadRequest("The body must name the image to deploy: { \"image\": \"<id from the upload>\" }.");
        }

        var env = request.Env ?? new Dictionary<string, string>();
        if (env.Keys.FirstOrDefault(k => !EnvName().IsMatch(k)) is { } badName)
        {
            return Problems.BadRequest($"'{badName}' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*).");
        }

        if (await images.GetAsync(tenant, image, ct).ConfigureAwait(false) is null)
        {
            return Problems.BadRequest($"There is no image '{image}' for this tenant; upload one first (POST /v1/tenants/{tenant}/images).");
        }

        var quota = config.Current.FindTenant(tenant)!.Quotas.MaxServers;
        var result = await servers.UpsertAsync(tenant, server, image, request.Args ?? [], env, quota, ct).ConfigureAwait(false);
        if (result.Outcome == StoreOutcome.QuotaExceeded)
        {
            await context.RecordAsync(tenant, "server.deploy", server, "quota").ConfigureAwait(false);
            return Problems.QuotaExceeded($"The tenant already has its {quota} servers (maxServers); delete one first.");
        }

        if (result.Value is null)
        {
            return Problems.Conflict($"Server '{server}' could not be deployed ({result.Outcome}).");
        }

        await warmer.RewarmAsync(tenant, server, ct).ConfigureAwait(false);
        await context.RecordAsync(tenant, "server.deploy", server, "ok").ConfigureAwait(false);
        return Results.Ok(ToResponse(result.Value));
    }

    private static async Task<IResult> ListAsync(string tenant, ServerStore servers, CancellationToken ct) =>
        Results.Ok((await servers.ListAsync(tenant, ct).ConfigureAwait(false)).Select(ToResponse));

    private static async Task<IResult> GetAsync(string tenant, string server, ServerStore servers, CancellationToken ct) =>
        await servers.GetAsync(tenant, server, ct).ConfigureAwait(false) is { } row
            ? Results.Ok(ToResponse(row))
            : Problems.NotFound($"There is no server '{server}'.");

    private static async Task<IResult> DeleteAsync(string tenant, string server, HttpContext context, ServerStore servers, WarmPool pool, CancellationToken ct)
    {
        if (!await servers.DeleteAsync(tenant, server, ct).ConfigureAwait(false))
        {
            return Problems.NotFound($"There is no server '{server}'.");
        }

        await pool.DrainAsync(tenant, server).ConfigureAwait(false);
        await context.RecordAsync(tenant, "server.delete", server, "ok").ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> ListSecretsAsync(string tenant, string server, ServerStore servers, SecretStore secrets, CancellationToken ct) =>
        await servers.GetAsync(tenant, server, ct).ConfigureAwait(false) is null
            ? Problems.NotFound($"There is no server '{server}'.")
            : Results.Ok(await secrets.ListNamesAsync(tenant, server, ct).ConfigureAwait(false));

    private static async Task<IResult> SetSecretAsync(
        string tenant, string server, string name, SecretRequest? request, HttpContext context,
        ServerStore servers, SecretStore secrets, DataKeyStore dataKeys, SecretBox box, PoolWarmer warmer, CancellationToken ct)
    {
        if (!EnvName().IsMatch(name))
        {
            return Problems.BadRequest($"'{name}' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*).");
        }

        if (request?.Value is not { } value)
        {
            return Problems.BadRequest("The body must hold the secret: { \"value\": \"…\" }.");
        }

        if (await servers.GetAsync(tenant, server, ct).ConfigureAwait(false) is null)
        {
            return Problems.NotFound($"There is no server '{server}'.");
        }

        var wrapped = await dataKeys.GetOrInsertAsync(tenant, box.WrapNewDataKey(tenant), ct).ConfigureAwait(false);
        using (var key = box.UnwrapDataKey(tenant, wrapped))
        {
            await secrets.SetAsync(tenant, server, name, box.Encrypt(key, server, name, value), ct).ConfigureAwait(false);
        }

        // Warm sandboxes were started with the old environment.
        await warmer.RewarmAsync(tenant, server, ct).ConfigureAwait(false);
        await context.RecordAsync(tenant, "secret.set", $"{server}/{name}", "ok").ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteSecretAsync(string tenant, string server, string name, HttpContext context, SecretStore secrets, PoolWarmer warmer, CancellationToken ct)
    {
        if (!await secrets.DeleteAsync(tenant, server, name, ct).ConfigureAwait(false))
        {
            return Problems.NotFound($"Server '{server}' has no secret '{name}'.");
        }

        await warmer.RewarmAsync(tenant, server, ct).ConfigureAwait(false);
        await context.RecordAsync(tenant, "secret.delete", $"{server}/{name}", "ok").ConfigureAwait(false);
        return Results.NoContent();
    }

    private static ServerResponse ToResponse(ServerRow row) =>
        new(row.Name, row.ImageId, row.Args, row.Env, $"/t/{row.TenantId}/{row.Name}/mcp", row.UpdatedAt);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();
}
