using Dapper;
using Npgsql;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Hosting;
using Smcp.Proxy.Replicas;
using Smcp.Proxy.Sessions;

namespace Smcp.Orchestrator.Replicas;

/// <summary>
/// This replica's row in <c>replicas</c>: taken before the host starts (so no two live replicas share an id, and with it
/// the instance label their sandboxes carry), renewed every heartbeat, and swept: directory rows of replicas past their
/// lease are deleted and their session rows ended, by whichever replica gets there first.
/// </summary>
internal sealed class ReplicaLease(
    TenantDb db, ReplicaOptions options, ConfigMonitor config, IMcpSessionControl live, TimeProvider time, ILogger<ReplicaLease> logger) : BackgroundService
{
    /// <summary>
    /// Takes the lease of <paramref name="options"/>' id, and ends what an earlier run under it left (its directory rows
    /// and session rows, and any open session row no live replica holds).
    /// </summary>
    /// <returns>How many session rows it ended.</returns>
    /// <exception cref="InvalidOperationException">Another live replica holds the id.</exception>
    public static async Task<int> RegisterAsync(string connectionString, ReplicaOptions options, IEnumerable<string> tenants, CancellationToken cancellationToken)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        var address = options.AdvertisedAddress.GetLeftPart(UriPartial.Authority);
        if (!await TakeAsync(source, options, address, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"Replica id '{options.Id}' is held by another live replica; give each replica its own --{ReplicaOptions.Section}:Id (or stop the other one).");
        }

        return await ForgetOwnRowsAsync(new TenantDb(source), options, tenants, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes this replica's directory rows (their sessions are gone) and ends the session rows no live replica holds.</summary>
    private static async Task<int> ForgetOwnRowsAsync(TenantDb db, ReplicaOptions options, IEnumerable<string> tenants, CancellationToken cancellationToken)
    {
        var ended = 0;
        foreach (var tenant in tenants)
        {
            await db.RunAsync(tenant, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM session_directory WHERE tenant_id = @tenant AND replica_id = @replica",
                new { tenant, replica = options.Id }, transaction, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false);
            ended += await EndOrphanedSessionsAsync(db, tenant, options.Lease, "restart", cancellationToken).ConfigureAwait(false);
        }

        return ended;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Heartbeat, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await BeatAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    HostLog.ReplicaHeartbeatFailed(logger, ex, options.Id!);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the row is left to expire, and the sessions end with the host.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await db.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM replicas WHERE replica_id = @id", new { id = options.Id }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
    }

    /// <summary>Renews the lease (or, when it ran out, ends this replica's sessions before taking it again) and sweeps the rows of gone replicas.</summary>
    internal async Task BeatAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await db.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            var renewed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE replicas SET heartbeat_at = now() WHERE replica_id = @id AND heartbeat_at > now() - make_interval(secs => @lease)",
                new { id = options.Id, lease = options.Lease.TotalSeconds }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (renewed == 0)
            {
                // Past the lease the other replicas answer 404 for these sessions and may have swept their rows: they are lost.
                var ended = await live.EndAllAsync("replica lease lost").ConfigureAwait(false);
                HostLog.ReplicaLeaseLost(logger, options.Id!, ended);
                if (!await TakeAsync(db.DataSource, options, options.AdvertisedAddress.GetLeftPart(UriPartial.Authority), cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"Replica id '{options.Id}' was taken by another replica while this one had lost its lease.");
                }

                await ForgetOwnRowsAsync(db, options, config.Current.Tenants.Select(t => t.Id), cancellationToken).ConfigureAwait(false);
            }
        }

        var swept = 0;
        foreach (var tenant in config.Current.Tenants)
        {
            swept += await db.RunAsync(tenant.Id, async (connection, transaction) =>
            {
                var rows = await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM session_directory d WHERE tenant_id = @tenant AND NOT EXISTS " +
                    "(SELECT 1 FROM replicas r WHERE r.replica_id = d.replica_id AND r.heartbeat_at > now() - make_interval(secs => @lease))",
                    new { tenant = tenant.Id, lease = options.Lease.TotalSeconds }, transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM rate_windows WHERE tenant_id = @tenant AND window_start < now() - interval '2 minutes'",
                    new { tenant = tenant.Id }, transaction, cancellationToken: cancellationToken));
                return rows;
            }, cancellationToken).ConfigureAwait(false);
            await EndOrphanedSessionsAsync(db, tenant.Id, options.Lease, "replica gone", cancellationToken).ConfigureAwait(false);
        }

        if (swept > 0)
        {
            HostLog.ReplicaSwept(logger, swept);
        }
    }

    /// <summary>Inserts the row, or takes it over when its lease ran out or it is this replica's own (same address, an earlier run); false when a live other holds it.</summary>
    private static async Task<bool> TakeAsync(NpgsqlDataSource source, ReplicaOptions options, string address, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO replicas (replica_id, internal_address) VALUES (@id, @address)
            ON CONFLICT (replica_id) DO UPDATE SET internal_address = excluded.internal_address, started_at = now(), heartbeat_at = now()
            WHERE replicas.heartbeat_at <= now() - make_interval(secs => @lease) OR replicas.internal_address = excluded.internal_address
            """,
            new { id = options.Id, address, lease = options.Lease.TotalSeconds }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>Ends the tenant's open session rows that no live replica's directory row holds.</summary>
    private static Task<int> EndOrphanedSessionsAsync(TenantDb db, string tenant, TimeSpan lease, string reason, CancellationToken cancellationToken) =>
        db.RunAsync(tenant, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sessions s SET ended_at = now(), end_reason = @reason WHERE tenant_id = @tenant AND ended_at IS NULL AND NOT EXISTS " +
            "(SELECT 1 FROM session_directory d JOIN replicas r USING (replica_id) " +
            "WHERE d.tenant_id = s.tenant_id AND d.session_id = s.id AND r.heartbeat_at > now() - make_interval(secs => @lease))",
            new { tenant, reason, lease = lease.TotalSeconds }, transaction, cancellationToken: cancellationToken)), cancellationToken);
}
