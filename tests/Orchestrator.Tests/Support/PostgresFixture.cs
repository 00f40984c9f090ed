using System.Net.Sockets;
using Npgsql;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>A fresh database on the test Postgres: bootstrapped, migrated, dropped on dispose.</summary>
/// <remarks>Reads the superuser connection string from SMCP_TEST_PG; each fixture gets a database of its own.</remarks>
internal sealed class PostgresFixture : IAsyncDisposable
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    private PostgresFixture(string server, string database)
    {
        ServerConnectionString = server;
        Database = database;
        SuperuserConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        OwnerConnectionString = DatabaseBootstrap.ConnectionStringFor(server, database, DatabaseBootstrap.OwnerRole, null);
        AppConnectionString = DatabaseBootstrap.ConnectionStringFor(server, database, DatabaseBootstrap.AppRole, null);
        AppDataSource = NpgsqlDataSource.Create(AppConnectionString);
        Db = new TenantDb(AppDataSource);
    }

    public static string ServerFromEnvironment =>
        Environment.GetEnvironmentVariable("SMCP_TEST_PG") is { Length: > 0 } value ? value : DefaultConnectionString;

    /// <summary>The superuser's connection to the cluster's maintenance database.</summary>
    public string ServerConnectionString { get; }

    public string Database { get; }

    /// <summary>The superuser in this fixture's database (bypasses row-level security).</summary>
    public string SuperuserConnectionString { get; }

    public string OwnerConnectionString { get; }

    public string AppConnectionString { get; }

    public NpgsqlDataSource AppDataSource { get; }

    public TenantDb Db { get; }

    /// <summary>Creates, bootstraps and (unless told not to) migrates a database named after the test fixture.</summary>
    /// <param name="server">The cluster's superuser connection string; the shared test Postgres unless given.</param>
    public static async Task<PostgresFixture> CreateAsync(string purpose, bool migrate = true, string? server = null)
    {
        server ??= ServerFromEnvironment;
        await EnsureAnswersAsync(server);
        var name = $"smcp_test_{purpose}_{Guid.NewGuid():N}";
        var database = name.Length > 63 ? name[..63] : name;
        await DatabaseBootstrap.EnsureAsync(server, database, null, null, CancellationToken.None);
        var fixture = new PostgresFixture(server, database);
        if (migrate)
        {
            await SchemaMigrator.MigrateAsync(fixture.OwnerConnectionString, CancellationToken.None);
        }

        return fixture;
    }

    /// <summary>A new app-role data source, as a second SMCP process would have.</summary>
    public NpgsqlDataSource NewAppDataSource() => NpgsqlDataSource.Create(AppConnectionString);

    public async Task<T> SuperuserScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task SuperuserExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Adds tenants the way the config sync does.</summary>
    public Task AddTenantsAsync(params string[] ids) =>
        new TenantStore(Db).SyncAsync(ids.Select(id => new TenantEntry { Id = id, Name = id }).ToList(), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await AppDataSource.DisposeAsync();
        // Unpooled: a test may have restarted the cluster, which breaks pooled connections.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"""DROP DATABASE IF EXISTS "{Database}" WITH (FORCE)""", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task EnsureAnswersAsync(string server)
    {
        try
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            var builder = new NpgsqlConnectionStringBuilder(server);
            Assert.Fail($"Postgres does not answer at {builder.Host}:{builder.Port} ({ex.Message}); start it with " +
                        "`. scripts/engine.sh && smcp_start_postgres` or run `bash scripts/test.sh`.");
        }
    }
}
