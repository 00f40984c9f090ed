using Npgsql;
using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Tests.Support;
using static Smcp.Orchestrator.Tests.Audit.AuditTestSupport;

namespace Smcp.Orchestrator.Tests.Audit;

public sealed class AuditVerifierTests
{
    private PostgresFixture _pg = null!;
    private AuditVerifier _verifier = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _pg = await PostgresFixture.CreateAsync("audit_verify");
        _verifier = new AuditVerifier(_pg.Db);
    }

    [OneTimeTearDown]
    public async Task DropDatabase() => await _pg.DisposeAsync();

    [Test]
    public async Task An_empty_chain_verifies_with_no_rows()
    {
        Assert.That(await _verifier.VerifyAsync("nobody", CancellationToken.None), Is.EqualTo(new AuditVerification(0, null)));
    }

    [Test]
    public async Task An_edit_made_by_the_owner_is_reported_as_a_hash_mismatch_at_its_seq()
    {
        await WriteAsync("edited", 10);
        await AsOwnerAsync("edited", "UPDATE audit_log SET outcome = 'ok-ish' WHERE seq = 4");

        var result = await _verifier.VerifyAsync("edited", CancellationToken.None);
        Assert.That((result.RowsChecked, result.FirstBreak?.Seq, result.FirstBreak?.Kind), Is.EqualTo((3L, (long?)4, (AuditBreakKind?)AuditBreakKind.HashMismatch)));
    }

    [Test]
    public async Task A_row_rewritten_with_a_fresh_hash_breaks_the_next_link()
    {
        await WriteAsync("rehashed", 10);
        var query = new AuditQuery(_pg.Db);
        var row = (await query.ReadAsync("rehashed", 5, 1, CancellationToken.None))[0] with { Outcome = "denied" };
        var hash = AuditHash.Compute(row.PrevHash, row);
        await AsOwnerAsync("rehashed", $"UPDATE audit_log SET outcome = 'denied', hash = '\\x{Convert.ToHexString(hash)}' WHERE seq = 6");

        var result = await _verifier.VerifyAsync("rehashed", CancellationToken.None);
        Assert.That((result.RowsChecked, result.FirstBreak?.Seq, result.FirstBreak?.Kind), Is.EqualTo((6L, (long?)7, (AuditBreakKind?)AuditBreakKind.PrevHashMismatch)));
    }

    [Test]
    public async Task A_deleted_middle_row_is_reported_as_a_gap_at_its_seq()
    {
        await WriteAsync("gap", 10);
        await _pg.SuperuserExecuteAsync("DELETE FROM audit_log WHERE tenant_id = 'gap' AND seq = 5");

        var result = await _verifier.VerifyAsync("gap", CancellationToken.None);
        Assert.That((result.RowsChecked, result.FirstBreak?.Seq, result.FirstBreak?.Kind), Is.EqualTo((4L, (long?)5, (AuditBreakKind?)AuditBreakKind.SeqGap)));
    }

    [Test]
    public async Task A_row_moved_to_another_tenant_breaks_that_tenants_chain()
    {
        await WriteAsync("moved-from", 3);
        await WriteAsync("moved-to", 2);
        await _pg.SuperuserExecuteAsync("UPDATE audit_log SET tenant_id = 'moved-to' WHERE tenant_id = 'moved-from' AND seq = 3");

        var to = await _verifier.VerifyAsync("moved-to", CancellationToken.None);
        Assert.That((to.FirstBreak?.Seq, to.FirstBreak?.Kind), Is.EqualTo(((long?)3, (AuditBreakKind?)AuditBreakKind.PrevHashMismatch)));
    }

    private async Task WriteAsync(string tenant, int count)
    {
        await using var writer = Writer(_pg.AppDataSource);
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < count; i++)
        {
            await writer.WriteAsync(Record(tenant, $"tool-{i}"), CancellationToken.None);
        }

        await writer.StopAsync(CancellationToken.None);
    }

    // The owner is subject to FORCE ROW LEVEL SECURITY too, so it has to set the tenant like the app does.
    private async Task AsOwnerAsync(string tenant, string sql)
    {
        await using var connection = new NpgsqlConnection(_pg.OwnerConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand($"SELECT set_config('smcp.tenant_id', '{tenant}', true); {sql}", connection, transaction);
        Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1), "the owner changes exactly one row");
        await transaction.CommitAsync();
    }
}
