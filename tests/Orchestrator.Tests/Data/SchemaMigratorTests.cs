using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Data;

public sealed class SchemaMigratorTests
{
    [Test]
    public async Task A_second_run_applies_nothing()
    {
        await using var pg = await PostgresFixture.CreateAsync("migrate_twice");

        var again = await SchemaMigrator.MigrateAsync(pg.OwnerConnectionString, CancellationToken.None);

        Assert.That(again, Is.Empty);
    }

    [Test]
    public async Task Two_migrators_at_once_both_succeed_and_apply_each_file_once()
    {
        await using var pg = await PostgresFixture.CreateAsync("migrate_race", migrate: false);
        var files = await SchemaMigrator.ReadFilesAsync(SchemaMigrator.DefaultDirectory, CancellationToken.None);

        var runs = await Task.WhenAll(
            SchemaMigrator.MigrateAsync(pg.OwnerConnectionString, CancellationToken.None),
            SchemaMigrator.MigrateAsync(pg.OwnerConnectionString, CancellationToken.None));

        var recorded = await pg.SuperuserScalarAsync<int[]>("SELECT array_agg(version ORDER BY version) FROM schema_migrations");
        Assert.That(runs.SelectMany(r => r).Order().ToArray(), Is.EqualTo(files.Select(f => f.Version).ToArray()));
        Assert.That(recorded, Is.EqualTo(files.Select(f => f.Version).ToArray()));
    }

    [Test]
    public async Task A_changed_applied_file_is_an_error_that_names_it()
    {
        await using var pg = await PostgresFixture.CreateAsync("migrate_changed", migrate: false);
        var folder = Directory.CreateTempSubdirectory("smcp-schema-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(SchemaMigrator.DefaultDirectory, "*.sql"))
            {
                File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
            }

            await SchemaMigrator.MigrateAsync(pg.OwnerConnectionString, CancellationToken.None, folder.FullName);
            await File.AppendAllTextAsync(Path.Combine(folder.FullName, "002_images_and_servers.sql"), "\n-- edited\n");

            Assert.That(async () => await SchemaMigrator.MigrateAsync(pg.OwnerConnectionString, CancellationToken.None, folder.FullName),
                Throws.InvalidOperationException.With.Message.Contains("002_images_and_servers.sql"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Bootstrap_runs_again_without_error_and_keeps_the_app_role_restricted()
    {
        await using var pg = await PostgresFixture.CreateAsync("bootstrap_again");
        await pg.SuperuserExecuteAsync("ALTER ROLE smcp_app BYPASSRLS");

        await DatabaseBootstrap.EnsureAsync(pg.ServerConnectionString, pg.Database, null, null, CancellationToken.None);

        Assert.That(await pg.SuperuserScalarAsync<bool>("SELECT rolbypassrls FROM pg_roles WHERE rolname = 'smcp_app'"), Is.False);
    }
}
