using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Tests.Config;

public sealed class ConfigCheckCommandTests
{
    private string directory = "";

    [SetUp]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("smcp-config-check-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    private static (int ExitCode, string Stdout, string Stderr) Run(string path)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = ConfigCheckCommand.Run(path, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public void A_valid_file_exits_0_and_says_how_many_tenants_it_has()
    {
        var path = Path.Combine(directory, "smcp.yaml");
        File.WriteAllText(path, "tenants: [ { id: acme }, { id: beta } ]\n");

        var (exitCode, stdout, stderr) = Run(path);

        Assert.That(exitCode, Is.EqualTo(0));
        Assert.That(stdout, Is.EqualTo($"{path}: OK (2 tenants){Environment.NewLine}"));
        Assert.That(stderr, Is.Empty);
    }

    [Test]
    public void An_invalid_file_exits_1_with_each_mistake_on_its_own_line()
    {
        var path = Path.Combine(directory, "smcp.yaml");
        File.WriteAllText(path, "tenants:\n  - id: acme\n    quotas: { memory: lots }\n  - id: acme\n");

        var (exitCode, stdout, stderr) = Run(path);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            $"{path}:3:23: tenants[0].quotas.memory: 'lots' is not a size; use bytes or a unit like 256Mi (Ki, Mi, Gi, Ti are powers of 1024; k, M, G, T of 1000)",
            $"{path}:4:9: tenants[1].id: duplicate tenant id 'acme'; it is first used at line 2",
            $"{path}: 2 errors",
        }));
    }

    [Test]
    public void A_missing_file_exits_2_and_says_so()
    {
        var path = Path.Combine(directory, "nothing-here.yaml");

        var (exitCode, stdout, stderr) = Run(path);

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Is.EqualTo($"smcp config check: file not found: {path}{Environment.NewLine}"));
    }

    [Test]
    public void The_example_file_shipped_in_compose_is_valid()
    {
        var example = FindRepositoryFile("compose/smcp.example.yaml");

        var (exitCode, stdout, stderr) = Run(example);

        Assert.That(stderr, Is.Empty);
        Assert.That(exitCode, Is.EqualTo(0));
        Assert.That(stdout, Does.EndWith($": OK (2 tenants){Environment.NewLine}"));
    }

    private static string FindRepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"{relative} was not found above {TestContext.CurrentContext.TestDirectory}");
        return "";
    }
}
