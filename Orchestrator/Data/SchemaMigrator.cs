using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Smcp.Orchestrator.Data;

/// <summary>One migration file: <c>schema/NNN_name.sql</c>.</summary>
internal sealed record MigrationFile
{
    public required int Version { get; init; }
    public required string Name { get; init; }
    public required string Path { get; init; }
    public required string Sql { get; init; }
    public required byte[] Sha256 { get; init; }
}

/// <summary>Applies the ordered plain-SQL files in <c>schema/</c>, each once, each in its own transaction.</summary>
/// <remarks>
/// Runs as the schema owner under a session advisory lock, so processes that start together apply each file
/// exactly once. A file already applied whose content changed is an error: migrations are append-only.
/// </remarks>
internal static partial class SchemaMigrator
{
    private const long MigrationLockKey = 0x534D_4350_0002;

    [GeneratedRegex(@"^(\d{3})_([a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();

    public static string DefaultDirectory => System.IO.Path.Combine(AppContext.BaseDirectory, "schema");

    /// <summary>Applies what is missing and returns the versions it applied (empty when the schema was current).</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(string ownerConnectionString, CancellationToken ct, string? directory = null, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var files = await ReadFilesAsync(directory ?? DefaultDirectory, ct);
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({MigrationLockKey})", ct);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    sha256     bytea NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, ct);
            var applied = await ReadAppliedAsync(connection, ct);
            var done = new List<int>();
            foreach (var file in files)
            {
                if (applied.TryGetValue(file.Version, out var sha))
                {
                    if (!sha.AsSpan().SequenceEqual(file.Sha256))
                    {
                        throw new InvalidOperationException(
                            $"Migration {System.IO.Path.GetFileName(file.Path)} was changed after it was applied. Applied migrations must not change: put the change in a new file.");
                    }

                    continue;
                }

                var started = Stopwatch.GetTimestamp();
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await ExecuteAsync(connection, transaction, file.Sql, ct);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = file.Version });
                    record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = file.Name });
                    record.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = file.Sha256 });
                    await record.ExecuteNonQueryAsync(ct);
                }

                await transaction.CommitAsync(ct);
                done.Add(file.Version);
                DataLog.MigrationApplied(logger, file.Version, file.Name, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return done;
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
    }

    /// <summary>The versions of the folder's files the database has not applied, or applied from other bytes.</summary>
    public static async Task<IReadOnlyList<int>> PendingAsync(string ownerConnectionString, CancellationToken ct, string? directory = null)
    {
        var files = await ReadFilesAsync(directory ?? DefaultDirectory, ct);
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(ct);
        var applied = await ReadAppliedAsync(connection, ct);
        return [.. files.Where(f => !applied.TryGetValue(f.Version, out var sha) || !sha.AsSpan().SequenceEqual(f.Sha256)).Select(f => f.Version)];
    }

    public static async Task<IReadOnlyList<MigrationFile>> ReadFilesAsync(string directory, CancellationToken ct)
    {
        if (!Directory.Exists(directory))
        {
            throw new InvalidOperationException($"The schema folder {directory} does not exist; the build copies schema/*.sql next to the program.");
        }

        var files = new List<MigrationFile>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.sql"))
        {
            var match = FileNamePattern().Match(System.IO.Path.GetFileName(path));
            if (!match.Success)
            {
                throw new InvalidOperationException($"{path} is not named NNN_name.sql (three digits, then lower-case letters, digits and underscores).");
            }

            var bytes = await File.ReadAllBytesAsync(path, ct);
            files.Add(new MigrationFile
            {
                Version = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                Name = match.Groups[2].Value,
                Path = path,
                Sql = new System.Text.UTF8Encoding(false, true).GetString(bytes),
                Sha256 = SHA256.HashData(bytes),
            });
        }

        files.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < files.Count; i++)
        {
            if (files[i].Version == files[i - 1].Version)
            {
                throw new InvalidOperationException($"{files[i - 1].Path} and {files[i].Path} have the same version number.");
            }
        }

        return files;
    }

    private static async Task<Dictionary<int, byte[]>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var applied = new Dictionary<int, byte[]>();
        await using var command = new NpgsqlCommand("SELECT version, sha256 FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied[reader.GetInt32(0)] = reader.GetFieldValue<byte[]>(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }
}
