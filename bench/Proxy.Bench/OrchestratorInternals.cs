using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Smcp.Proxy.Ports;

namespace Smcp.Bench;

/// <summary>
/// The host's real Postgres parts (bootstrap, migrations, AddSmcpData with the AuditWriter, ProxyRecorder),
/// which are internal to the smcp assembly: reached by reflection so the bench measures the shipped code,
/// not a copy. Only construction goes through reflection; the hot path calls IProxyRecorder directly.
/// </summary>
internal static class OrchestratorInternals
{
    private const BindingFlags Static = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
    private static readonly Assembly Smcp = Assembly.Load(new AssemblyName("smcp"));

    private static Type T(string name) => Smcp.GetType(name, throwOnError: true)!;

    /// <summary>Creates a fresh database, bootstraps the roles, migrates it and adds <paramref name="tenants"/>; returns the app role's connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string superuser, string database, IEnumerable<string> tenants, CancellationToken ct)
    {
        var bootstrap = T("Smcp.Orchestrator.Data.DatabaseBootstrap");
        await (Task)bootstrap.GetMethod("EnsureAsync", Static)!.Invoke(null, [superuser, database, null, null, ct])!;
        var connectionStringFor = bootstrap.GetMethod("ConnectionStringFor", Static)!;
        var owner = (string)connectionStringFor.Invoke(null, [superuser, database, "smcp_owner", null])!;
        var app = (string)connectionStringFor.Invoke(null, [superuser, database, "smcp_app", null])!;
        var migrate = T("Smcp.Orchestrator.Data.SchemaMigrator").GetMethod("MigrateAsync", Static)!;
        await (Task)migrate.Invoke(null, [owner, ct, null, null])!;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(superuser) { Database = database }.ConnectionString);
        await connection.OpenAsync(ct);
        foreach (var tenant in tenants)
        {
            foreach (var sql in new[] { "INSERT INTO tenant_registry (tenant_id) VALUES ($1)", "INSERT INTO tenants (tenant_id, name, status) VALUES ($1, $1, 'active')" })
            {
                await using var insert = new NpgsqlCommand(sql, connection);
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
                await insert.ExecuteNonQueryAsync(ct);
            }
        }

        return app;
    }

    public static async Task<long> CountAuditRowsAsync(string superuser, string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(superuser) { Database = database }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM audit_log", connection);
        return (long)(await count.ExecuteScalarAsync(ct))!;
    }

    public static async Task DropDatabaseAsync(string superuser, string database)
    {
        await using var connection = new NpgsqlConnection(superuser);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"""DROP DATABASE IF EXISTS "{database}" WITH (FORCE)""", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>The host's <c>AddSmcpData</c>: app-role data source, stores, and the AuditWriter as a hosted service.</summary>
    /// <param name="batchDelay">The writer's BatchDelay; null keeps the host's default.</param>
    public static IServiceCollection AddSmcpData(IServiceCollection services, string appConnectionString, TimeSpan? batchDelay = null)
    {
        var setter = typeof(OrchestratorInternals).GetMethod(nameof(Setter), Static)!;
        var configure = setter.MakeGenericMethod(T("Smcp.Orchestrator.Data.DataOptions")).Invoke(null, ["ConnectionString", appConnectionString]);
        var configureAudit = batchDelay is { } delay
            ? setter.MakeGenericMethod(T("Smcp.Orchestrator.Audit.AuditWriterOptions")).Invoke(null, ["BatchDelay", delay])
            : null;
        T("Smcp.Orchestrator.Data.DataServiceCollectionExtensions").GetMethod("AddSmcpData", Static)!
            .Invoke(null, [services, configure, configureAudit]);
        return services;
    }

    /// <summary>The AuditWriter registered by <see cref="AddSmcpData"/>.</summary>
    public static IHostedService AuditWriter(IServiceProvider services) =>
        (IHostedService)services.GetRequiredService(T("Smcp.Orchestrator.Audit.AuditWriter"));

    public static long Written(IHostedService auditWriter) =>
        (long)auditWriter.GetType().GetProperty("Written")!.GetValue(auditWriter)!;

    /// <summary>The host's IProxyRecorder: audit rows through the AuditWriter, session rows through the SessionStore.</summary>
    public static IProxyRecorder ProxyRecorder(IServiceProvider services) =>
        (IProxyRecorder)ActivatorUtilities.CreateInstance(services, T("Smcp.Orchestrator.Servers.ProxyRecorder"));

    private static Action<TOptions> Setter<TOptions>(string property, object value) =>
        options => typeof(TOptions).GetProperty(property)!.SetValue(options, value);
}
