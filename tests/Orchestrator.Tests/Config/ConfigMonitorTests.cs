using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Tests.Config;

public sealed class ConfigMonitorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(50);

    private const string Initial = """
        tenants:
          - id: acme
          - id: beta
            quotas: { maxSessions: 5 }
        """;

    private string directory = "";
    private string path = "";

    [SetUp]
    public void CreateDirectory()
    {
        directory = Directory.CreateTempSubdirectory("smcp-config-monitor-").FullName;
        path = Path.Combine(directory, "smcp.yaml");
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    private ConfigMonitor Start(CollectingLogger<ConfigMonitor> logger, bool watchFileSystem = true)
    {
        File.WriteAllText(path, Initial);
        var initial = ConfigLoader.Load(path, _ => null);
        Assert.That(initial.IsValid, Is.True);
        var options = new ConfigMonitorOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(watchFileSystem ? 2000 : 200),
            SettleDelay = TimeSpan.FromMilliseconds(50),
            WatchFileSystem = watchFileSystem,
            Environment = _ => null,
        };
        return new ConfigMonitor(path, initial, TimeProvider.System, logger, options);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(PollStep);
        }

        return true;
    }

    // Writes a sibling file and renames it over the config, as vim, VS Code and `kubectl` volumes do.
    private void ReplaceByRename(string yaml)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, yaml);
        File.Move(temporary, path, overwrite: true);
    }

    [Test]
    public async Task A_valid_edit_is_applied_live_and_an_invalid_one_keeps_the_last_good_configuration()
    {
        var logger = new CollectingLogger<ConfigMonitor>();
        using var monitor = Start(logger);
        var changes = new List<long>();
        monitor.Changed += (_, e) => changes.Add(e.Version);
        await monitor.StartAsync(CancellationToken.None);

        await File.WriteAllTextAsync(path, """
            tenants:
              - id: acme
                status: suspended
              - id: beta
                quotas: { maxSessions: 7 }
            """);
        Assert.That(await EventuallyAsync(() => monitor.Version == 2), Is.True, "the edit was not applied within the deadline");
        Assert.That(monitor.Current.FindTenant("acme")!.Status, Is.EqualTo(TenantStatus.Suspended));
        Assert.That(monitor.Current.FindTenant("beta")!.Quotas.MaxSessions, Is.EqualTo(7));

        await File.WriteAllTextAsync(path, """
            tenants:
              - id: acme
                quotas: { memory: 12 apples }
            """);
        Assert.That(await EventuallyAsync(() => logger.Entries.Any(e => e.EventId.Id == 2102)), Is.True, "the invalid edit was not logged");
        var rejected = logger.Entries.Single(e => e.EventId.Id == 2102).Message;
        Assert.That(rejected, Does.Contain($"{path}:3:23: tenants[0].quotas.memory: '12 apples' is not a size"));
        Assert.That(monitor.Version, Is.EqualTo(2));
        Assert.That(monitor.Current.FindTenant("acme")!.Status, Is.EqualTo(TenantStatus.Suspended), "the last good configuration stays");

        ReplaceByRename("tenants: [ { id: acme }, { id: gamma } ]");
        Assert.That(await EventuallyAsync(() => monitor.Version == 3), Is.True, "the edit after the invalid one was not applied");
        Assert.That(monitor.Current.Tenants.Select(t => t.Id), Is.EqualTo(new[] { "acme", "gamma" }));
        Assert.That(changes, Is.EqualTo(new long[] { 2, 3 }));

        await monitor.StopAsync(CancellationToken.None);
    }

    [Test]
    public async Task Without_file_system_events_the_periodic_check_still_applies_an_edit()
    {
        var logger = new CollectingLogger<ConfigMonitor>();
        using var monitor = Start(logger, watchFileSystem: false);
        await monitor.StartAsync(CancellationToken.None);

        await File.WriteAllTextAsync(path, "tenants: [ { id: acme, quotas: { cpus: 0.25 } } ]");

        Assert.That(await EventuallyAsync(() => monitor.Version == 2), Is.True, "the periodic check did not pick up the edit");
        Assert.That(monitor.Current.FindTenant("acme")!.Quotas.Cpus, Is.EqualTo(0.25));
        Assert.That(monitor.Current.FindTenant("beta"), Is.Null);
        await monitor.StopAsync(CancellationToken.None);
    }

    [Test]
    public async Task A_file_that_goes_missing_keeps_the_configuration_and_is_logged_once()
    {
        var logger = new CollectingLogger<ConfigMonitor>();
        using var monitor = Start(logger, watchFileSystem: false);
        await monitor.StartAsync(CancellationToken.None);

        File.Delete(path);
        Assert.That(await EventuallyAsync(() => logger.Entries.Any(e => e.EventId.Id == 2103)), Is.True, "the missing file was not logged");
        await monitor.ReloadAsync(CancellationToken.None);
        await monitor.ReloadAsync(CancellationToken.None);

        Assert.That(logger.Entries.Count(e => e.EventId.Id == 2103), Is.EqualTo(1));
        Assert.That(monitor.Version, Is.EqualTo(1));
        Assert.That(monitor.Current.Tenants, Has.Count.EqualTo(2));

        await File.WriteAllTextAsync(path, Initial);
        await monitor.ReloadAsync(CancellationToken.None);
        Assert.That(monitor.Version, Is.EqualTo(1), "the same content again is no change");
        await monitor.StopAsync(CancellationToken.None);
    }

    [Test]
    public async Task A_half_written_file_is_never_applied_and_the_finished_one_is()
    {
        var logger = new CollectingLogger<ConfigMonitor>();
        using var monitor = Start(logger);
        var applied = new List<SmcpConfig>();
        monitor.Changed += (_, e) => applied.Add(e.Current);
        await monitor.StartAsync(CancellationToken.None);

        await using (var writer = new StreamWriter(path, append: false))
        {
            await writer.WriteAsync("tenants: [ { id: acme, status: suspended }, ");
            await writer.FlushAsync();
            // A slow writer: the half file sits on disk for longer than the settle delay.
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await writer.WriteAsync("{ id: delta } ]");
        }

        Assert.That(await EventuallyAsync(() => monitor.Current.FindTenant("delta") is not null && applied.Count > 0), Is.True, "the finished file was not applied");
        Assert.That(applied.Select(c => c.Tenants.Count), Is.EqualTo(new[] { 2 }), "only the finished file was applied");
        Assert.That(monitor.Current.FindTenant("acme")!.Status, Is.EqualTo(TenantStatus.Suspended));
        await monitor.StopAsync(CancellationToken.None);
    }

    [Test]
    public async Task Touching_the_file_without_changing_it_is_not_a_change()
    {
        var logger = new CollectingLogger<ConfigMonitor>();
        using var monitor = Start(logger);
        await monitor.StartAsync(CancellationToken.None);

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        await monitor.ReloadAsync(CancellationToken.None);

        Assert.That(monitor.Version, Is.EqualTo(1));
        await monitor.StopAsync(CancellationToken.None);
    }

    [Test]
    public void The_monitor_refuses_to_start_from_an_invalid_configuration()
    {
        var invalid = ConfigLoader.Parse("tenants: [ { id: Nope } ]", "smcp.yaml", _ => null);

        Assert.That(
            () => new ConfigMonitor(path, invalid, TimeProvider.System, new CollectingLogger<ConfigMonitor>()),
            Throws.ArgumentException);
    }
}
