using System.Text;
using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Tests.Support;
using static Smcp.Orchestrator.Tests.Audit.AuditTestSupport;

namespace Smcp.Orchestrator.Tests.Audit;

/// <summary>Client-chosen text in a row is cut to a fixed length on a character boundary, the row says so, and the chain still verifies.</summary>
public sealed class AuditTruncationTests
{
    private PostgresFixture _pg = null!;
    private AuditVerifier _verifier = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _pg = await PostgresFixture.CreateAsync("audit_truncation");
        _verifier = new AuditVerifier(_pg.Db);
    }

    [OneTimeTearDown]
    public async Task DropDatabase() => await _pg.DisposeAsync();

    [Test]
    public async Task A_long_method_and_tool_name_are_cut_on_a_character_boundary_and_the_row_is_marked()
    {
        // 127 two-byte characters fill 254 bytes; the next is a four-byte emoji, which does not fit whole.
        var tool = string.Concat(Enumerable.Repeat("é", 127)) + string.Concat(Enumerable.Repeat("😀", 2000));
        var method = "tools/" + new string('x', 10_000);
        await WriteAsync("cut", Record("cut", "short-tool"), Record("cut", tool) with { Action = method });

        var rows = await new AuditQuery(_pg.Db).ReadAsync("cut", 0, 10, CancellationToken.None);

        Assert.That(rows.Select(r => r.Truncated), Is.EqualTo(new[] { false, true }));
        Assert.That(rows[1].Target, Is.EqualTo(tool[..127]));
        Assert.That(rows[1].Action, Is.EqualTo(method[..AuditText.MaxFieldBytes]));
        Assert.That(rows.Max(r => Encoding.UTF8.GetByteCount(r.Target!)), Is.LessThanOrEqualTo(AuditText.MaxFieldBytes));
        Assert.That(await _verifier.VerifyAsync("cut", CancellationToken.None), Is.EqualTo(new AuditVerification(2, null)));
    }

    [Test]
    public async Task A_cut_that_would_split_a_surrogate_pair_keeps_the_pair_whole_or_drops_it()
    {
        var target = "a" + string.Concat(Enumerable.Repeat("😀", 100));
        await WriteAsync("pairs", Record("pairs", target));

        var row = (await new AuditQuery(_pg.Db).ReadAsync("pairs", 0, 1, CancellationToken.None)).Single();

        // 1 + 63 × 4 = 253 bytes: a 64th emoji would make 257.
        Assert.That(row.Target, Is.EqualTo(target[..(1 + (63 * 2))]));
        Assert.That(row.Truncated, Is.True);
    }

    [Test]
    public async Task Clearing_the_truncated_flag_breaks_the_rows_hash()
    {
        await WriteAsync("flag", Record("flag", "ok"), Record("flag", new string('t', 5000)), Record("flag", "ok"));
        await _pg.SuperuserExecuteAsync("UPDATE audit_log SET truncated = false WHERE tenant_id = 'flag' AND seq = 2");

        var result = await _verifier.VerifyAsync("flag", CancellationToken.None);

        Assert.That((result.FirstBreak?.Seq, result.FirstBreak?.Kind), Is.EqualTo(((long?)2, (AuditBreakKind?)AuditBreakKind.HashMismatch)));
    }

    private async Task WriteAsync(string tenant, params AuditRecord[] records)
    {
        await using var writer = Writer(_pg.AppDataSource);
        await writer.StartAsync(CancellationToken.None);
        foreach (var record in records)
        {
            await writer.WriteAsync(record, CancellationToken.None);
        }

        await writer.StopAsync(CancellationToken.None);
    }
}
