using Dapper;
using Npgsql;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.OAuth.Users;

/// <summary>The tenant's sign-in users in <c>oauth_users</c>, under the tenant's row-level security.</summary>
internal sealed class UserStore(TenantDb db, UserPasswords passwords, TimeProvider time)
{
    private const string Columns =
        "tenant_id AS TenantId, id, email, password_hash AS PasswordHash, failed_attempts AS FailedAttempts, locked_until AS LockedUntil, disabled_at AS DisabledAt, upstream_subject AS UpstreamSubject";

    /// <summary>Adds a user, with a password or (null) for upstream sign-in only; <see cref="StoreOutcome.Conflict"/> when the email is taken, <see cref="StoreOutcome.MissingReference"/> when the tenant has no row.</summary>
    /// <exception cref="ArgumentException">The email or password is not acceptable (<see cref="UserEmail.Normalize"/>, <see cref="UserPasswords.Problem"/>): check first.</exception>
    public async Task<StoreResult<OAuthUser>> CreateAsync(string tenantId, string email, string? password, CancellationToken cancellationToken)
    {
        var normalized = UserEmail.Normalize(email) ?? throw new ArgumentException("Not an email address a user can have.", nameof(email));
        if (password is not null && UserPasswords.Problem(password) is { } problem)
        {
            throw new ArgumentException(problem, nameof(password));
        }

        var hash = password is null ? null : passwords.Hash(password);
        try
        {
            var user = await db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleAsync<OAuthUser>(new CommandDefinition(
                $"INSERT INTO oauth_users (tenant_id, email, password_hash) VALUES (@tenantId, @normalized, @hash) RETURNING {Columns}",
                new { tenantId, normalized, hash }, transaction, cancellationToken: cancellationToken)), cancellationToken);
            return StoreResult<OAuthUser>.Ok(user);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return StoreResult<OAuthUser>.Failed(StoreOutcome.Conflict);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return StoreResult<OAuthUser>.Failed(StoreOutcome.MissingReference);
        }
    }

    /// <summary>The user with this (already normalized) email, or null.</summary>
    public Task<OAuthUser?> FindByEmailAsync(string tenantId, string email, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleOrDefaultAsync<OAuthUser>(new CommandDefinition(
            $"SELECT {Columns} FROM oauth_users WHERE tenant_id = @tenantId AND email = @email",
            new { tenantId, email }, transaction, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Counts a wrong password; the one that reaches <paramref name="threshold"/> locks the account for <paramref name="lockout"/>.</summary>
    /// <remarks>One statement, so attempts at once each count. A lock that has run out starts the count again; a live lock is not extended.</remarks>
    public Task RecordFailureAsync(string tenantId, Guid id, int threshold, TimeSpan lockout, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lockedUntil = now + lockout;
        return db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE oauth_users SET
                failed_attempts = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_attempts + 1 END,
                locked_until = CASE WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_attempts + 1 END) >= @threshold
                                    THEN @lockedUntil END
            WHERE tenant_id = @tenantId AND id = @id AND (locked_until IS NULL OR locked_until <= @now)
            """, new { tenantId, id, threshold, lockedUntil, now }, transaction, cancellationToken: cancellationToken)), cancellationToken);
    }

    /// <summary>Links the user to an upstream identity; false when another user of the tenant is linked to it already.</summary>
    public async Task<bool> LinkUpstreamAsync(string tenantId, Guid id, string subject, CancellationToken cancellationToken)
    {
        try
        {
            await db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "UPDATE oauth_users SET upstream_subject = @subject WHERE tenant_id = @tenantId AND id = @id AND upstream_subject IS DISTINCT FROM @subject",
                new { tenantId, id, subject }, transaction, cancellationToken: cancellationToken)), cancellationToken);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return false;
        }
    }

    /// <summary>Clears the failure count after a right password, and stores <paramref name="rehash"/> when the hasher asked for a stronger hash.</summary>
    public Task RecordSuccessAsync(string tenantId, Guid id, string? rehash, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE oauth_users SET failed_attempts = 0, locked_until = NULL, password_hash = COALESCE(@rehash, password_hash)
            WHERE tenant_id = @tenantId AND id = @id
            """, new { tenantId, id, rehash }, transaction, cancellationToken: cancellationToken)), cancellationToken);
}
