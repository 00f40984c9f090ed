using System.Text.RegularExpressions;
using Npgsql;

namespace Smcp.Orchestrator.Data;

/// <summary>Creates the two roles and the database; run once per deployment with a superuser connection.</summary>
/// <remarks>
/// Roles are cluster-wide, so several databases (and several processes) may share them: every step tolerates
/// what already exists, and the attributes that matter for isolation (NOSUPERUSER, NOBYPASSRLS) are set again
/// each time so a role someone loosened by hand is tightened back.
/// </remarks>
internal static partial class DatabaseBootstrap
{
    public const string OwnerRole = "smcp_owner";
    public const string AppRole = "smcp_app";

    // Serializes bootstraps cluster-wide: concurrent CREATE ROLE races fail on the catalog's unique index.
    private const long BootstrapLockKey = 0x534D_4350_0001;

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseNamePattern();

    public static async Task EnsureAsync(string superuserConnectionString, string databaseName, string? ownerPassword, string? appPassword, CancellationToken ct)
    {
        if (!DatabaseNamePattern().IsMatch(databaseName))
        {
            throw new ArgumentException($"'{databaseName}' is not a database name SMCP uses (lower-case letters, digits, underscores)", nameof(databaseName));
        }

        await using (var connection = new NpgsqlConnection(superuserConnectionString))
        {
            await connection.OpenAsync(ct);
            await ExecuteAsync(connection, $"SELECT pg_advisory_lock({BootstrapLockKey})", ct);
            try
            {
                await EnsureRoleAsync(connection, OwnerRole, ownerPassword, ct);
                await EnsureRoleAsync(connection, AppRole, appPassword, ct);
                await EnsureDatabaseAsync(connection, databaseName, ct);
            }
            finally
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({BootstrapLockKey})", CancellationToken.None);
            }
        }

        await using var database = new NpgsqlConnection(WithDatabase(superuserConnectionString, databaseName));
        await database.OpenAsync(ct);
        await ExecuteAsync(database, $"""
            REVOKE ALL ON DATABASE "{databaseName}" FROM PUBLIC;
            GRANT CONNECT ON DATABASE "{databaseName}" TO {AppRole};
            ALTER SCHEMA public OWNER TO {OwnerRole};
            """, ct);
    }

    /// <summary>The connection string of <paramref name="role"/> to <paramref name="databaseName"/> on the same server.</summary>
    public static string ConnectionStringFor(string superuserConnectionString, string databaseName, string role, string? password) =>
        new NpgsqlConnectionStringBuilder(superuserConnectionString)
        {
            Database = databaseName,
            Username = role,
            Password = password,
        }.ConnectionString;

    private static string WithDatabase(string connectionString, string databaseName) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = databaseName }.ConnectionString;

    private static async Task EnsureRoleAsync(NpgsqlConnection connection, string role, string? password, CancellationToken ct)
    {
        const string attributes = "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION";
        if (!await ExistsAsync(connection, "SELECT 1 FROM pg_roles WHERE rolname = $1", role, ct))
        {
            try
            {
                await ExecuteAsync(connection, $"CREATE ROLE {role} {attributes}", ct);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
            {
                // Another bootstrap without the lock (an older version) created it first: fine.
            }
        }

        await ExecuteAsync(connection, $"ALTER ROLE {role} {attributes}", ct);
        if (password is not null)
        {
            // DDL takes no parameters: let the server quote the password literal.
            await using var format = new NpgsqlCommand("SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)", connection);
            format.Parameters.Add(new NpgsqlParameter<string> { TypedValue = role });
            format.Parameters.Add(new NpgsqlParameter<string> { TypedValue = password });
            var statement = (string)(await format.ExecuteScalarAsync(ct))!;
            await ExecuteAsync(connection, statement, ct);
        }
    }

    private static async Task EnsureDatabaseAsync(NpgsqlConnection connection, string databaseName, CancellationToken ct)
    {
        if (await ExistsAsync(connection, "SELECT 1 FROM pg_database WHERE datname = $1", databaseName, ct))
        {
            return;
        }

        try
        {
            await ExecuteAsync(connection, $"""CREATE DATABASE "{databaseName}" OWNER {OwnerRole} ENCODING 'UTF8' TEMPLATE template0""", ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Created by a concurrent bootstrap of another cluster client: fine.
        }
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string sql, string name, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
