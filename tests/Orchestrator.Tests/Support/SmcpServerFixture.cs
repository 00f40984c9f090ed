using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Hosting;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>The whole smcp host on 127.0.0.1 with a fresh database, the real dockerd and a smcp.yaml of the test's own.</summary>
internal sealed class SmcpServerFixture : IAsyncDisposable
{
    /// <summary>Appended to this suite's instance ids, so runs side by side on one engine (SMCP_TEST_INSTANCE_SUFFIX) never remove each other's sandboxes.</summary>
    public static readonly string InstanceSuffix = Environment.GetEnvironmentVariable("SMCP_TEST_INSTANCE_SUFFIX") ?? "";

    public const string AdminKey = "smcp-test-admin-key-0123456789";

    public const string Initialize =
        """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    public const string Initialized = """{"jsonrpc":"2.0","method":"notifications/initialized"}""";

    private readonly WebApplication _app;
    private readonly PostgresFixture _database;
    private readonly string _directory;

    private SmcpServerFixture(WebApplication app, PostgresFixture database, string directory, Uri baseAddress, string instanceId)
    {
        _app = app;
        _database = database;
        _directory = directory;
        BaseAddress = baseAddress;
        InstanceId = instanceId;
    }

    public Uri BaseAddress { get; }

    /// <summary>The <c>smcp.instance</c> label on this host's sandboxes.</summary>
    public string InstanceId { get; }

    public string ConfigPath => Path.Combine(_directory, "smcp.yaml");

    public PostgresFixture Database => _database;

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a host; <paramref name="purpose"/> names its database and its instance id, so a host that starts reconciles (removes) only its own leftovers, never the sandboxes of a host another test runs at once.</summary>
    /// <param name="settings">Host settings as command-line arguments (<c>--Section:Key=value</c>), for this host only.</param>
    public static async Task<SmcpServerFixture> StartAsync(string purpose, string tenantsYaml, params string[] settings) =>
        await StartAsync(await PostgresFixture.CreateAsync(purpose), purpose, tenantsYaml, settings);

    /// <summary>Starts a host on <paramref name="database"/> (which it then owns and drops on dispose).</summary>
    public static async Task<SmcpServerFixture> StartAsync(PostgresFixture database, string purpose, string tenantsYaml, params string[] settings)
    {
        var instanceId = $"smcp-api-tests-{purpose}{InstanceSuffix}";
        var path = SmcpProcess.WriteConfig(database, instanceId, tenantsYaml);
        var directory = Path.GetDirectoryName(path)!;
        Environment.SetEnvironmentVariable("SMCP_MASTER_KEY", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        Environment.SetEnvironmentVariable("SMCP_ADMIN_KEY", AdminKey);
        var loaded = ConfigLoader.Load(path);
        Assert.That(loaded.Errors, Is.Empty, string.Join('\n', loaded.Errors));
        var app = await SmcpApp.BuildAsync(path, loaded, settings, CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SmcpServerFixture(app, database, directory, new Uri(address), instanceId);
    }

    /// <summary>A public client (auth method none) of the built-in issuer, as <c>/register</c> would make it.</summary>
    public async Task AddClientAsync(string tenant, string clientId, string name, string[] redirectUris, string[] grants)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var insert = new Npgsql.NpgsqlCommand(
            "INSERT INTO oauth_clients (tenant_id, client_id, kind, client_name, redirect_uris, grant_types, auth_method) VALUES ($1, $2, 'registered', $3, $4, $5, 'none')",
            connection);
        insert.Parameters.AddWithValue(tenant);
        insert.Parameters.AddWithValue(clientId);
        insert.Parameters.AddWithValue(name);
        insert.Parameters.AddWithValue(redirectUris);
        insert.Parameters.AddWithValue(grants);
        await insert.ExecuteNonQueryAsync();
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Uploads <paramref name="image"/>, deploys it as the tenant's <paramref name="server"/> and returns a new tenant-user key.</summary>
    public static async Task<string> DeployAsync(HttpClient admin, string image = "smcp-test/conformance:test", string tenant = "acme", string server = "notes", string[]? args = null)
    {
        var id = await UploadAsync(admin, image, tenant, server);
        var deploy = await admin.PutAsJsonAsync($"/v1/tenants/{tenant}/servers/{server}", new { image = id, args = args ?? [] });
        Assert.That(deploy.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deploy.Content.ReadAsStringAsync());
        var created = await admin.PostAsJsonAsync($"/v1/tenants/{tenant}/keys", new { name = "ide", role = "tenant-user" });
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    /// <summary>Uploads <paramref name="image"/> to the tenant and returns its id.</summary>
    public static async Task<string> UploadAsync(HttpClient admin, string image, string tenant = "acme", string server = "notes")
    {
        using var tarball = new ByteArrayContent(await SaveImageAsync(image));
        var upload = await admin.PostAsync($"/v1/tenants/{tenant}/images?server={server}", tarball);
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created), await upload.Content.ReadAsStringAsync());
        return (await upload.Content.ReadFromJsonAsync<JsonObject>())!["image"]!.GetValue<string>();
    }

    /// <summary>One MCP POST to acme's <c>notes</c> server (or the server at <paramref name="path"/>), as a Streamable HTTP client sends it.</summary>
    public static async Task<HttpResponseMessage> PostMcpAsync(HttpClient client, string? session, string json, string path = "/t/acme/notes/mcp")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        }

        return await client.SendAsync(request);
    }

    /// <summary>A <c>docker save</c> tarball of a test image, saved by id so it carries no shared name.</summary>
    public static async Task<byte[]> SaveImageAsync(string image)
    {
        var id = (await RunAsync("docker", $"image inspect --format {{{{.Id}}}} {image}")).Output.Trim();
        Assert.That(id, Does.StartWith("sha256:"), $"The test image {image} is missing; build it with `bash tests/images/build.sh`.");
        var file = Path.GetTempFileName();
        try
        {
            await RunAsync("docker", $"save -o {file} {id}");
            return await File.ReadAllBytesAsync(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Runs a program to its end; its exit code and what it wrote to stdout, then stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
