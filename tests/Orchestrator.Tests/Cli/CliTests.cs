using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Cli;

/// <summary>The built <c>smcp</c> as a process against a real host (Postgres, dockerd, real sandboxes): tenant commands over the API.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // The login file is guarded by Unix permissions.
[NonParallelizable] // One host; the tests log in and build on its state in turn.
public sealed class CliTests
{
    private SmcpServerFixture _smcp = null!;
    private CliRun _cli = null!;
    private string _acmeAdmin = null!;
    private Dictionary<string, string> _asAcme = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _smcp = await SmcpServerFixture.StartAsync("cli", """
            tenants:
              - id: acme
              - id: beta
            """);
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var created = await admin.PostAsJsonAsync("/v1/tenants/acme/keys", new { name = "cli", role = "tenant-admin" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        _acmeAdmin = (await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        _asAcme = new() { ["SMCP_URL"] = _smcp.BaseAddress.ToString(), ["SMCP_KEY"] = _acmeAdmin };
        _cli = new CliRun();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _cli.Dispose();
        await _smcp.DisposeAsync();
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Smcp(params string[] args) => _cli.RunAsync(null, _asAcme, args);

    private static void AssertOneLine(string stderr, string contains)
    {
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("smcp: ").And.Contain(contains).And.Not.Contain("   at "));
    }

    [Test]
    public async Task Login_stores_url_and_key_0600_in_a_0700_directory_and_later_commands_use_it()
    {
        using var cli = new CliRun();
        var (exit, _, stderr) = await cli.RunAsync(_acmeAdmin + "\n", null, "login", "--url", _smcp.BaseAddress.ToString());

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stderr, Does.Not.Contain(_acmeAdmin));
        Assert.That(File.GetUnixFileMode(cli.LoginFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(cli.LoginFile)!), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        var list = await cli.RunAsync(null, null, "key", "list", "--output", "json");
        Assert.That(list.ExitCode, Is.Zero, list.Stderr);
        Assert.That(JsonNode.Parse(list.Stdout)!.AsArray().Select(k => k!["name"]!.GetValue<string>()), Does.Contain("cli"));
    }

    [Test]
    public async Task Login_with_a_wrong_key_is_refused_with_exit_3_and_stores_nothing()
    {
        using var cli = new CliRun();
        var (exit, stdout, stderr) = await cli.RunAsync("smcp_acme_" + new string('A', 43) + "\n", null, "login", "--url", _smcp.BaseAddress.ToString());

        Assert.That(exit, Is.EqualTo(3), stdout + stderr);
        AssertOneLine(stderr, "refused");
        Assert.That(File.Exists(cli.LoginFile), Is.False);
    }

    [Test]
    public async Task A_login_file_others_can_read_is_refused_and_says_how_to_mend_it()
    {
        using var cli = new CliRun();
        Assert.That((await cli.RunAsync(_acmeAdmin + "\n", null, "login", "--url", _smcp.BaseAddress.ToString())).ExitCode, Is.Zero);
        File.SetUnixFileMode(cli.LoginFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (exit, stdout, stderr) = await cli.RunAsync(null, null, "server", "list");

        Assert.That(exit, Is.EqualTo(1), stdout + stderr);
        AssertOneLine(stderr, "chmod 600");
        Assert.That(stdout + stderr, Does.Not.Contain(_acmeAdmin));
    }

    [TestCase("ftp://127.0.0.1/")]
    [TestCase("file:///etc/passwd")]
    [TestCase("not a url")]
    [TestCase("http://user:pw@127.0.0.1/")]
    public async Task A_url_that_is_not_plain_http_or_https_is_refused(string url)
    {
        using var cli = new CliRun();
        var (exit, _, stderr) = await cli.RunAsync(_acmeAdmin + "\n", null, "login", "--url", url);

        Assert.That(exit, Is.EqualTo(1), stderr);
        AssertOneLine(stderr, "URL");
        Assert.That(File.Exists(cli.LoginFile), Is.False);
    }

    [Test]
    public async Task A_wrong_key_on_a_command_is_exit_3_in_one_line()
    {
        var (exit, _, stderr) = await _cli.RunAsync(null, new() { ["SMCP_URL"] = _smcp.BaseAddress.ToString(), ["SMCP_KEY"] = "smcp_acme_" + new string('B', 43) }, "image", "list");

        Assert.That(exit, Is.EqualTo(3), stderr);
        AssertOneLine(stderr, "HTTP 401");
    }

    [Test]
    public async Task Image_push_of_a_tarball_then_list_and_rm()
    {
        var tarball = Path.Combine(_cli.ConfigHome, "image.tar");
        await File.WriteAllBytesAsync(tarball, await SmcpServerFixture.SaveImageAsync("smcp-test/conformance:test"));

        var push = await Smcp("image", "push", tarball, "--server", "notes");
        Assert.That(push.ExitCode, Is.Zero, push.Stderr);
        var id = push.Stdout.Trim();
        Assert.That(push.Stderr, Does.Contain("Uploaded"));

        var list = await Smcp("image", "list", "--output", "json");
        Assert.That(JsonNode.Parse(list.Stdout)!.AsArray().Select(i => i!["image"]!.GetValue<string>()), Does.Contain(id));
        var table = await Smcp("image", "list");
        Assert.That(table.Stdout, Does.Contain("IMAGE").And.Contain(id));

        Assert.That((await Smcp("image", "rm", id)).ExitCode, Is.Zero);
        Assert.That((await Smcp("image", "list", "--output", "json")).Stdout, Does.Not.Contain(id));
        var again = await Smcp("image", "rm", id);
        Assert.That(again.ExitCode, Is.EqualTo(2), again.Stderr);
        AssertOneLine(again.Stderr, "HTTP 404");
    }

    [Test]
    public async Task Image_push_from_the_local_docker_engine_streams_the_saved_image()
    {
        var id = (await SmcpServerFixture.RunAsync("docker", "image inspect --format {{.Id}} smcp-test/conformance:test")).Output.Trim();
        Assert.That(id, Does.StartWith("sha256:"), "The test image is missing; build it with `bash tests/images/build.sh`.");

        var push = await Smcp("image", "push", "--from-docker", id, "--server", "docker", "-o", "json");

        Assert.That(push.ExitCode, Is.Zero, push.Stderr);
        Assert.That(JsonNode.Parse(push.Stdout)!["image"]!.GetValue<string>(), Is.Not.Empty);
        var missing = await Smcp("image", "push", "--from-docker", "smcp-test/no-such-image:none");
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.Stderr);
        AssertOneLine(missing.Stderr, "no image");
    }

    [Test]
    public async Task Server_deploy_list_secret_session_and_rm()
    {
        using var admin = _smcp.Client(_acmeAdmin);
        var image = await SmcpServerFixture.UploadAsync(admin, "smcp-test/conformance:test", server: "tools");

        var deploy = await Smcp("server", "deploy", "tools", "--image", image, "--env", "MODE=test");
        Assert.That(deploy.ExitCode, Is.Zero, deploy.Stderr);
        Assert.That(deploy.Stdout.Trim(), Does.EndWith("/t/acme/tools/mcp"));
        var list = await Smcp("server", "list", "--output", "json");
        var row = JsonNode.Parse(list.Stdout)!.AsArray().Single(s => s!["server"]!.GetValue<string>() == "tools")!;
        Assert.That(row["env"]!["MODE"]!.GetValue<string>(), Is.EqualTo("test"));

        var set = await _cli.RunAsync("hunter2-value\n", _asAcme, "secret", "set", "API_TOKEN", "--server", "tools");
        Assert.That(set.ExitCode, Is.Zero, set.Stderr);
        var secrets = await Smcp("secret", "list", "--server", "tools");
        Assert.That(secrets.Stdout.Trim(), Is.EqualTo("API_TOKEN"));
        Assert.That(secrets.Stdout + (await Smcp("secret", "list", "--server", "tools", "-o", "json")).Stdout, Does.Not.Contain("hunter2"));

        var created = await admin.PostAsJsonAsync("/v1/tenants/acme/keys", new { name = "ide", role = "tenant-user" });
        using var user = _smcp.Client((await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>());
        var initialize = await SmcpServerFixture.PostMcpAsync(user, null, SmcpServerFixture.Initialize, "/t/acme/tools/mcp");
        Assert.That(initialize.StatusCode, Is.EqualTo(HttpStatusCode.OK), await initialize.Content.ReadAsStringAsync());
        var session = initialize.Headers.GetValues("Mcp-Session-Id").Single();
        var sessions = await Smcp("session", "list");
        Assert.That(sessions.Stdout, Does.Contain(session).And.Contain("tools"));
        Assert.That((await Smcp("session", "kill", session)).ExitCode, Is.Zero);
        Assert.That((await Smcp("session", "list", "-o", "json")).Stdout, Does.Not.Contain(session));

        Assert.That((await Smcp("server", "rm", "tools")).ExitCode, Is.Zero);
        var gone = await Smcp("server", "rm", "tools");
        Assert.That(gone.ExitCode, Is.EqualTo(2), gone.Stderr);
        AssertOneLine(gone.Stderr, "tools");
    }

    [Test]
    public async Task Key_create_list_revoke_and_the_revoked_key_is_refused()
    {
        var create = await Smcp("key", "create", "ci", "--role", "read-only");
        Assert.That(create.ExitCode, Is.Zero, create.Stderr);
        var key = create.Stdout.Trim();
        Assert.That(key, Does.StartWith("smcp_acme_"));

        var keys = JsonNode.Parse((await Smcp("key", "list", "-o", "json")).Stdout)!.AsArray();
        var id = keys.Single(k => k!["name"]!.GetValue<string>() == "ci")!["id"]!.GetValue<string>();
        Assert.That((await Smcp("key", "list")).Stdout, Does.Contain(id).And.Not.Contain(key));

        Assert.That((await Smcp("key", "revoke", id)).ExitCode, Is.Zero);
        var refused = await _cli.RunAsync(null, new() { ["SMCP_URL"] = _smcp.BaseAddress.ToString(), ["SMCP_KEY"] = key }, "key", "list");
        Assert.That(refused.ExitCode, Is.EqualTo(3), refused.Stderr);
    }

    [Test]
    public async Task Audit_verify_and_tail_over_the_api()
    {
        var verify = await Smcp("audit", "verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Stderr);
        Assert.That(verify.Stdout, Does.StartWith("acme: intact ("));
        var tail = await Smcp("audit", "tail", "-o", "json");
        Assert.That(tail.ExitCode, Is.Zero, tail.Stderr);
        Assert.That(tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["action"]!.GetValue<string>()), Does.Contain("key.create"));
    }

    [Test]
    public async Task Admin_tenants_needs_the_admin_key()
    {
        var asAdmin = new Dictionary<string, string> { ["SMCP_URL"] = _smcp.BaseAddress.ToString(), ["SMCP_KEY"] = SmcpServerFixture.AdminKey };
        var tenants = await _cli.RunAsync(null, asAdmin, "admin", "tenants", "-o", "json");
        Assert.That(tenants.ExitCode, Is.Zero, tenants.Stderr);
        Assert.That(JsonNode.Parse(tenants.Stdout)!.AsArray().Select(t => t!["id"]!.GetValue<string>()), Is.EquivalentTo(new[] { "acme", "beta" }));
        var usage = await _cli.RunAsync(null, asAdmin, "admin", "usage");
        Assert.That(usage.Stdout, Does.Contain("SESSIONS").And.Contain("beta"));

        var refused = await Smcp("admin", "tenants");
        Assert.That(refused.ExitCode, Is.EqualTo(3), refused.Stderr);
        AssertOneLine(refused.Stderr, "HTTP 403");
    }

    [TestCase("--help")]
    [TestCase("server", "deploy", "--help")]
    [TestCase("secret", "set", "--help")]
    [TestCase("audit", "tail", "--help")]
    public async Task Help_works_everywhere(params string[] args)
    {
        var (exit, stdout, _) = await Smcp(args);
        Assert.That(exit, Is.Zero);
        Assert.That(stdout, Does.Contain("Usage:"));
    }

    [Test]
    public async Task A_missing_option_is_exit_1_in_one_line_naming_the_help()
    {
        var (exit, _, stderr) = await Smcp("server", "deploy", "x");
        Assert.That(exit, Is.EqualTo(1));
        AssertOneLine(stderr, "smcp server deploy --help");
    }
}
