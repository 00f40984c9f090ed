using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Tests.Support;
using static Smcp.Orchestrator.Tests.Audit.AuditTestSupport;

namespace Smcp.Orchestrator.Tests.Audit;

public sealed class AuditWriterTests
{
    private PostgresFixture _pg = null!;
    private AuditVerifier _verifier = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _pg = await PostgresFixture.CreateAsync("audit_writer");
        _verifier = new AuditVerifier(_pg.Db);
    }

    [OneTimeTearDown]
    public async Task DropDatabase() => await _pg.DisposeAsync();

    [Test]
    public async Task Two_thousand_records_become_seq_1_to_2000_and_the_chain_verifies()
    {
        await using var writer = Writer(_pg.AppDataSource);
        await writer.StartAsync(CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => writer.WriteAsync(Record("bulk", $"tool-{i}"), CancellationToken.None)));
        await writer.StopAsync(CancellationToken.None);

        Assert.That(await ShapeAsync(_pg, "bulk"), Is.EqualTo("2000 rows, 2000 distinct, max 2000"));
        Assert.That(await _verifier.VerifyAsync("bulk", CancellationToken.None), Is.EqualTo(new AuditVerification(2000, null)));
    }

    [Test]
    public async Task Two_processes_writing_one_tenant_at_once_keep_one_unbroken_chain()
    {
        await using var otherProcess = _pg.NewAppDataSource();
        await using var first = Writer(_pg.AppDataSource, maxBatch: 50);
        await using var second = Writer(otherProcess, maxBatch: 50);
        await first.StartAsync(CancellationToken.None);
        await second.StartAsync(CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 1500).SelectMany(i => new[]
        {
            first.WriteAsync(Record("shared", $"a-{i}"), CancellationToken.None),
            second.WriteAsync(Record("shared", $"b-{i}"), CancellationToken.None),
        }));
        await first.StopAsync(CancellationToken.None);
        await second.StopAsync(CancellationToken.None);

        Assert.That(await ShapeAsync(_pg, "shared"), Is.EqualTo("3000 rows, 3000 distinct, max 3000"));
        Assert.That(await _verifier.VerifyAsync("shared", CancellationToken.None), Is.EqualTo(new AuditVerification(3000, null)));
    }

    [Test]
    public async Task A_full_queue_makes_writers_wait_and_loses_nothing()
    {
        await using var writer = Writer(_pg.AppDataSource, capacity: 10);
        await writer.StartAsync(CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async w =>
        {
            for (var i = 0; i < 25; i++)
            {
                await writer.EnqueueAsync(Record(w % 2 == 0 ? "pressure-even" : "pressure-odd", $"{w}-{i}"), CancellationToken.None);
            }
        }));
        await writer.StopAsync(CancellationToken.None);

        Assert.That(await ShapeAsync(_pg, "pressure-even"), Is.EqualTo("800 rows, 800 distinct, max 800"));
        Assert.That(await ShapeAsync(_pg, "pressure-odd"), Is.EqualTo("800 rows, 800 distinct, max 800"));
        Assert.That((await _verifier.VerifyAsync("pressure-odd", CancellationToken.None)).IsIntact, Is.True);
    }

    [Test]
    public async Task The_queue_is_bounded_in_bytes_while_the_database_is_held_and_loses_nothing()
    {
        const int queueBytes = 64 * 1024;
        var detail = JsonDocument.Parse($$"""{"note":"{{new string('d', 8000)}}"}""").RootElement.Clone();
        await using var writer = Writer(_pg.AppDataSource, queueBytes: queueBytes);
        await writer.StartAsync(CancellationToken.None);

        // The tenant's chain lock, held from outside: the writer's transaction waits on it, so nothing it holds is committed.
        await using var holder = await _pg.AppDataSource.OpenConnectionAsync();
        await using (var hold = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended('smcp.audit' || ':' || 'held', 0))", holder))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var queued = 0;
        var writers = Enumerable.Range(0, 40).Select(async i =>
        {
            await writer.EnqueueAsync(Record("held", $"tool-{i}") with { Detail = detail }, CancellationToken.None);
            Interlocked.Increment(ref queued);
        }).ToList();
        await Task.Delay(1000);
        var queuedWhileHeld = Volatile.Read(ref queued);
        TestContext.Out.WriteLine($"{queuedWhileHeld} of 40 records queued while the database was held");

        await using (var release = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock_all()", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        await Task.WhenAll(writers);
        await writer.StopAsync(CancellationToken.None);

        Assert.That(queuedWhileHeld, Is.InRange(1, queueBytes / 8000), "records of 8 KB each: at most what fits in QueueBytes were taken");
        Assert.That(await ShapeAsync(_pg, "held"), Is.EqualTo("40 rows, 40 distinct, max 40"));
        Assert.That((await _verifier.VerifyAsync("held", CancellationToken.None)).IsIntact, Is.True);
    }

    [Test]
    public void A_queue_of_fewer_than_64_KiB_is_refused_at_start()
    {
        var result = new AuditWriterOptionsValidator().Validate(null, new AuditWriterOptions { QueueBytes = 1000 });

        Assert.That(result.FailureMessage, Does.Contain("Audit:QueueBytes must be at least 65536 (it is 1000)"));
    }

    [Test]
    public async Task Stopping_under_load_persists_every_written_and_every_queued_record()
    {
        await using var writer = Writer(_pg.AppDataSource, capacity: 100, maxBatch: 20);
        await writer.StartAsync(CancellationToken.None);
        var accepted = new ConcurrentBag<string>();
        var refused = 0;
        var producers = Enumerable.Range(0, 16).Select(p => Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                var target = $"{p}-{i}";
                try
                {
                    if (i % 2 == 0)
                    {
                        await writer.WriteAsync(Record("stopping", target), CancellationToken.None);
                    }
                    else
                    {
                        await writer.EnqueueAsync(Record("stopping", target), CancellationToken.None);
                    }

                    accepted.Add(target);
                }
                catch (ChannelClosedException)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }
            }
        })).ToList();
        await Task.Delay(300);
        await writer.StopAsync(CancellationToken.None);
        await Task.WhenAll(producers);

        var stored = await _pg.SuperuserScalarAsync<string[]>("SELECT coalesce(array_agg(target ORDER BY target), '{}') FROM audit_log WHERE tenant_id = 'stopping'");
        Assert.That(refused, Is.EqualTo(16), "every producer sees the writer stop");
        Assert.That(accepted, Is.Not.Empty);
        Assert.That(stored, Is.EquivalentTo(accepted));
        Assert.That((await _verifier.VerifyAsync("stopping", CancellationToken.None)).IsIntact, Is.True);
    }

    [Test]
    public async Task Details_timestamps_and_text_postgres_normalizes_still_verify()
    {
        await using var writer = Writer(_pg.AppDataSource);
        await writer.StartAsync(CancellationToken.None);
        var odd = new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.FromHours(5)).AddTicks(1234567);
        await writer.WriteAsync(Record("normalized", "json") with
        {
            At = odd,
            LatencyMs = double.NaN,
            Detail = JsonDocument.Parse("""{ "z": [1.0, 2e2, -0.5e-3], "a": {"y": "é\u00e9", "b": null}, "a2": true }""").RootElement,
        }, CancellationToken.None);
        await writer.WriteAsync(Record("normalized", "nul\0in-target") with { Principal = "lone \ud800 surrogate" }, CancellationToken.None);
        await writer.WriteAsync(Record("normalized", "nul-in-detail") with { Detail = JsonDocument.Parse("""{"s":"a\u0000b"}""").RootElement }, CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        var details = await _pg.SuperuserScalarAsync<string>("SELECT string_agg(coalesce(detail::text, '-'), ' | ' ORDER BY seq) FROM audit_log WHERE tenant_id = 'normalized'");
        Assert.That(await _verifier.VerifyAsync("normalized", CancellationToken.None), Is.EqualTo(new AuditVerification(3, null)));
        Assert.That(details, Is.EqualTo("""{"a": {"b": null, "y": "éé"}, "z": [1.0, 200, -0.0005], "a2": true} | - | {"smcp_detail_rejected": "22P05"}"""));
    }
}
