using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.OAuth.Keys;

/// <summary>The installation's token-signing keys in <c>oauth_signing_keys</c>: ES256 (P-256), private halves sealed with the master key.</summary>
/// <remarks>
/// The table is not tenant data (no row-level security). Creating the first key and rotating take one advisory lock, so two
/// processes starting at once, or a rotation racing a start, never leave two unretired keys.
/// </remarks>
internal sealed class SigningKeyStore(TenantDb db, SigningKeySeal seal, TimeProvider time)
{
    public const string Algorithm = "ES256";

    private const string LockName = "smcp.oauth-signing-keys";

    /// <summary>Unretired keys and those retired after <paramref name="retiredAfter"/>, newest first.</summary>
    public async Task<IReadOnlyList<StoredSigningKey>> LoadAsync(DateTimeOffset retiredAfter, CancellationToken cancellationToken)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<StoredSigningKey>(new CommandDefinition(
            """
            SELECT kid AS Kid, alg AS Alg, public_jwk AS PublicJwk, sealed_key AS SealedKey, created_at AS CreatedAt, retired_at AS RetiredAt
            FROM oauth_signing_keys WHERE retired_at IS NULL OR retired_at > @retiredAfter ORDER BY created_at DESC, kid
            """, new { retiredAfter }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Makes a key when none is unretired (a first start); returns whether it made one.</summary>
    public Task<bool> EnsureActiveAsync(CancellationToken cancellationToken) =>
        InLockAsync(async (connection, transaction) =>
        {
            var active = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM oauth_signing_keys WHERE retired_at IS NULL)", transaction: transaction, cancellationToken: cancellationToken));
            if (active)
            {
                return false;
            }

            await InsertNewAsync(connection, transaction, cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>Adds a new signing key and retires every other one (they stay published for the overlap); returns the new key id.</summary>
    /// <exception cref="InvalidOperationException">The current key does not open under this master key: a key sealed under the wrong one would stop every server at its next start.</exception>
    public Task<string> RotateAsync(CancellationToken cancellationToken) =>
        InLockAsync(async (connection, transaction) =>
        {
            var current = await connection.QueryFirstOrDefaultAsync<StoredSigningKey>(new CommandDefinition(
                """
                SELECT kid AS Kid, alg AS Alg, public_jwk AS PublicJwk, sealed_key AS SealedKey, created_at AS CreatedAt, retired_at AS RetiredAt
                FROM oauth_signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid
                """, transaction: transaction, cancellationToken: cancellationToken));
            if (current is not null)
            {
                OpenPrivateKey(current).Dispose();
            }

            var kid = await InsertNewAsync(connection, transaction, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE oauth_signing_keys SET retired_at = @now WHERE retired_at IS NULL AND kid <> @kid",
                new { now = time.GetUtcNow(), kid }, transaction, cancellationToken: cancellationToken));
            return kid;
        }, cancellationToken);

    /// <summary>Opens a stored key's private half.</summary>
    /// <exception cref="InvalidOperationException">It does not open: altered, or sealed under another master key.</exception>
    public ECDsa OpenPrivateKey(StoredSigningKey key)
    {
        var pkcs8 = seal.Open(key.Kid, key.SealedKey)
            ?? throw new InvalidOperationException(
                $"The token-signing key '{key.Kid}' in oauth_signing_keys does not open: it was altered or sealed under another SMCP_MASTER_KEY. "
                + "Start with the master key it was made with, or run `smcp keys rotate-signing` to make a new one.");
        try
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return ecdsa;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private async Task<T> InLockAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended(@LockName, 0))", new { LockName }, transaction, cancellationToken: cancellationToken));
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task<string> InsertNewAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var pkcs8 = ecdsa.ExportPkcs8PrivateKey();
        byte[] sealedKey;
        try
        {
            sealedKey = seal.Seal(kid, pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO oauth_signing_keys (kid, alg, public_jwk, sealed_key, created_at)
            VALUES (@kid, @Algorithm, @publicJwk, @sealedKey, @now)
            """,
            new { kid, Algorithm, publicJwk = PublicJwk(kid, ecdsa.ExportParameters(includePrivateParameters: false)), sealedKey, now = time.GetUtcNow() },
            transaction, cancellationToken: cancellationToken));
        return kid;
    }

    private static string PublicJwk(string kid, ECParameters parameters)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kty", "EC");
            writer.WriteString("use", "sig");
            writer.WriteString("alg", Algorithm);
            writer.WriteString("kid", kid);
            writer.WriteString("crv", "P-256");
            writer.WriteString("x", Base64Url.EncodeToString(parameters.Q.X));
            writer.WriteString("y", Base64Url.EncodeToString(parameters.Q.Y));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
