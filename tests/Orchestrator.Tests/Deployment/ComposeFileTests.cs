using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Tests.Support;
using Smcp.Sandbox;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Tests.Deployment;

/// <summary>
/// compose/docker-compose.yml as Debian's docker-compose 1.29 reads it (<c>docker-compose config</c>, its normalized
/// form) holds the deployment README promises: secrets from files, Postgres's data in a volume, the engine socket in smcp
/// alone, smcp as nobody on loopback, sandboxes under gVisor.
/// </summary>
public sealed class ComposeFileTests
{
    private const string Gid = "4242";
    private const string MasterKey = "bWFzdGVyLWtleS1mb3ItdGhlLWNvbXBvc2UtdGVzdC0wMDA=";

    private YamlMappingNode _normalized = null!;
    private YamlMappingNode _raw = null!;

    // The copy's folder stands for compose/ in the paths compose resolved.
    private const string ProjectFolder = "/COMPOSE";

    private static string ComposeFile => Path.Combine(NodeTools.RepoRoot, "compose/docker-compose.yml");

    [OneTimeSetUp]
    public async Task Normalize()
    {
        _raw = Load(await File.ReadAllTextAsync(ComposeFile));
        var result = await ComposeConfigAsync(Gid);
        Assert.That(result.ExitCode, Is.Zero, "docker-compose config refused compose/docker-compose.yml: " + result.Stderr);
        _normalized = Load(result.Stdout);
    }

    [Test]
    public void Docker_compose_1_29_keeps_every_key_the_file_sets()
    {
        Assert.That(_raw.Children.ContainsKey("version"), Is.False, "a Compose Specification file: no version key, so Compose v2 reads it without a warning");
        foreach (var (name, service) in Map(_raw, "services").Children)
        {
            // env_file is read, not kept: its variables are in the normalized environment.
            var written = Map((YamlMappingNode)service).Children.Keys.Select(Text).Where(k => k != "env_file");
            Assert.That(Map(_normalized, "services", Text(name)).Children.Keys.Select(Text), Is.SupersetOf(written), $"service {Text(name)}");
        }
    }

    [Test]
    public void Postgres_takes_its_password_from_a_secret_file_and_keeps_its_data_in_a_named_volume()
    {
        var postgres = Map(_normalized, "services", "postgres");

        var environment = Map(postgres, "environment");
        Assert.That(Text(environment, "POSTGRES_PASSWORD_FILE"), Is.EqualTo("/run/secrets/postgres_password"));
        Assert.That(environment.Children.Keys.Select(Text), Has.None.EqualTo("POSTGRES_PASSWORD"), "no password in the environment");
        Assert.That(Sources(postgres, "secrets"), Does.Contain("postgres_password"));
        Assert.That(Text(Map(_normalized, "secrets", "postgres_password"), "file"), Is.EqualTo(ProjectFolder + "/secrets/postgres_password"));
        Assert.That(Items(postgres, "volumes"), Does.Contain("pgdata:/var/lib/postgresql/data:rw"));
        Assert.That(Map(_normalized, "volumes").Children.Keys.Select(Text), Does.Contain("pgdata"));
    }

    [Test]
    public void Only_smcp_is_published_and_only_on_loopback()
    {
        Assert.That(Items(Map(_normalized, "services", "smcp"), "ports"), Is.EqualTo(new[] { "127.0.0.1:8080:8080/tcp" }));
        Assert.That(Map(_normalized, "services", "postgres").Children.ContainsKey("ports"), Is.False);
        Assert.That(Text(Map(_normalized, "networks", "backend"), "internal"), Is.EqualTo("true"), "Postgres's network has no way out");
        Assert.That(Map(Map(_normalized, "services", "postgres"), "networks").Children.Keys.Select(Text), Is.EqualTo(new[] { "backend" }));
    }

    [Test]
    public void The_engine_socket_and_the_keys_go_to_smcp_alone()
    {
        var smcp = Map(_normalized, "services", "smcp");
        var postgres = Map(_normalized, "services", "postgres");

        Assert.That(Items(smcp, "volumes"), Does.Contain("/var/run/docker.sock:/var/run/docker.sock:rw"));
        Assert.That(Items(postgres, "volumes"), Has.None.Contains("docker.sock"));
        Assert.That(Text(Map(smcp, "environment"), "SMCP_MASTER_KEY"), Is.EqualTo(MasterKey), "from compose/smcp.env");
        Assert.That(Map(postgres, "environment").Children.Keys.Select(Text), Has.None.StartsWith("SMCP_"));
        Assert.That(Sources(smcp, "secrets"), Is.EqualTo(new[] { "smcp_pgpass" }), "not the superuser's password");
        foreach (var name in new[] { "SMCP_PG_APP", "SMCP_PG_OWNER" })
        {
            Assert.That(Text(Map(smcp, "environment"), name), Does.Contain("Passfile=/run/secrets/smcp_pgpass").And.Not.Contain("Password="), name);
        }
    }

    [Test]
    public void Smcp_runs_as_nobody_with_the_socket_group_no_capabilities_and_a_read_only_root()
    {
        var smcp = Map(_normalized, "services", "smcp");

        Assert.That(Text(smcp, "user"), Is.EqualTo("65534:65534"));
        Assert.That(Items(smcp, "group_add"), Is.EqualTo(new[] { Gid }), "SMCP_DOCKER_GID from compose/.env");
        Assert.That(Items(smcp, "cap_drop"), Is.EqualTo(new[] { "ALL" }));
        Assert.That(Items(smcp, "security_opt"), Is.EqualTo(new[] { "no-new-privileges:true" }));
        Assert.That(Text(smcp, "read_only"), Is.EqualTo("true"));
        Assert.That(Text(Map(smcp, "depends_on", "postgres"), "condition"), Is.EqualTo("service_healthy"));
        Assert.That(Text(smcp, "stop_grace_period"), Is.EqualTo("60s"), "time to remove its sandboxes before compose's SIGKILL");
    }

    [Test]
    public void Sandboxes_run_under_runsc_by_the_smcp_yaml_that_compose_mounts()
    {
        var smcp = Map(_normalized, "services", "smcp");
        Assert.That(Items(smcp, "command"), Is.EqualTo(new[] { "serve", "--config", "/etc/smcp/smcp.yaml" }));
        Assert.That(Items(smcp, "volumes"), Does.Contain(ProjectFolder + "/config:/etc/smcp:ro"));
        // smcp itself runs under the engine's default runtime; the sandboxes it starts are what runs other people's code.
        Assert.That(smcp.Children.ContainsKey("runtime"), Is.False);

        var environment = Map(smcp, "environment");
        var loaded = ConfigLoader.Load(Path.Combine(NodeTools.RepoRoot, "compose/config/smcp.yaml"), name => environment.Children.TryGetValue(name, out var value) ? Text(value) : null);

        Assert.That(loaded.Errors, Is.Empty, string.Join('\n', loaded.Errors));
        Assert.That(loaded.Config!.Defaults.Runtime, Is.EqualTo(SandboxRuntimes.Gvisor));
        Assert.That(loaded.Config.Tenants.Select(t => t.Quotas.Runtime), Is.All.EqualTo(SandboxRuntimes.Gvisor));
        Assert.That(loaded.Config.Listen, Is.EqualTo(new[] { "http://*:8080" }), "the port compose publishes on loopback");
    }

    [Test]
    public async Task Without_init_secrets_sh_compose_refuses_the_file_and_says_to_run_it()
    {
        var result = await ComposeConfigAsync(gid: null);

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Stderr, Does.Contain("SMCP_DOCKER_GID").And.Contain("run compose/init-secrets.sh"));
    }

    /// <summary>
    /// <c>docker-compose config</c> on a copy of the repository's file beside what init-secrets.sh would have made (an
    /// smcp.env with made-up keys), in a folder of the test's own: the repository gets no file.
    /// </summary>
    private static async Task<ProcessResult> ComposeConfigAsync(string? gid)
    {
        var directory = Directory.CreateTempSubdirectory("smcp-compose-").FullName;
        try
        {
            File.Copy(ComposeFile, Path.Combine(directory, "docker-compose.yml"));
            await File.WriteAllTextAsync(Path.Combine(directory, "smcp.env"), $"SMCP_MASTER_KEY={MasterKey}\nSMCP_ADMIN_KEY=smcp-admin-compose-test\n");
            var environment = new Dictionary<string, string> { ["SMCP_DOCKER_GID"] = gid ?? "" };
            try
            {
                var result = await ClientSnippets.RunAsync("docker-compose", ["-f", "docker-compose.yml", "config"], directory, TimeSpan.FromSeconds(60), environment);
                return result with { Stdout = result.Stdout.Replace(directory, ProjectFolder, StringComparison.Ordinal) };
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Fail("docker-compose is not installed: `. scripts/engine.sh && smcp_test_services` installs it (Debian's docker-compose).");
                throw;
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static YamlMappingNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, params string[] path)
    {
        foreach (var key in path)
        {
            Assert.That(node.Children.TryGetValue(key, out var child), Is.True, $"no key {key}");
            node = (YamlMappingNode)child!;
        }

        return node;
    }

    private static string Text(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    private static string? Text(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) ? Text(value) : null;

    private static string[] Items(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? [.. ((YamlSequenceNode)value).Children.Select(Text)] : [];

    /// <summary>The names of a service's <c>secrets</c>, which the normalized form writes as <c>- source: NAME</c>.</summary>
    private static string[] Sources(YamlMappingNode service, string key) =>
        [.. ((YamlSequenceNode)service.Children[key]).Children.Select(s => s is YamlMappingNode m ? Text(m, "source")! : Text(s))];
}
