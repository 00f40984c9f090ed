using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Smcp.Sandbox.Stdio;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Engine;

/// <summary>The stdout channel is bounded in bytes: a flooder nobody reads is ended, a session that reads is not.</summary>
[TestFixture(SandboxRuntimes.Gvisor)]
[TestFixture(SandboxRuntimes.Runc)]
public sealed class StdoutFloodTests(string runtime)
{
    private static readonly TimeSpan FloodTimeout = TimeSpan.FromSeconds(2);

    private static SandboxSpec Hostile(params string[] args) => TestDocker.Spec(TestDocker.Hostile, args);

    [Test]
    public async Task A_warm_sandbox_that_floods_unread_is_ended_as_StdoutFlood_and_never_buffers_past_its_bound()
    {
        var engine = await TestDocker.EngineAsync(runtime, o => o.StdoutFloodTimeout = FloodTimeout);
        var bound = TestDocker.Options(runtime).WarmStdoutBufferBytes;
        // 100 KiB lines: two fit the warm bound, the third waits, so the buffer is filled to the brim.
        await using var sandbox = await engine.StartUnclaimedAsync(Hostile("flood", "line-bytes", "102400"), CancellationToken.None);

        var clock = Stopwatch.StartNew();
        long most = 0;
        while (!sandbox.Exited.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            most = Math.Max(most, sandbox.BufferedBytes);
            await Task.Delay(5);
        }

        var exit = await sandbox.Exited.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(exit.Reason, Is.EqualTo(SandboxExitReason.StdoutFlood), sandbox.StderrTail());
        Assert.That(clock.Elapsed, Is.LessThan(FloodTimeout + TimeSpan.FromSeconds(20)), "ended within the flood timeout and the start");
        Assert.That(most, Is.GreaterThan(102400), "the buffer did fill");
        Assert.That(most, Is.LessThanOrEqualTo(bound));
        Assert.That(exit.UnreadBytes, Is.InRange(102400, bound));
        Assert.That(exit.Describe(), Does.Contain("wrote more to stdout than anyone read").And.Contain($"({exit.UnreadBytes} bytes buffered)"));
        Assert.That(sandbox.BufferedBytes, Is.EqualTo(0), "what nobody read is let go");
    }

    [Test]
    public async Task A_session_reading_through_a_burst_larger_than_both_bounds_is_not_ended_and_its_server_answers()
    {
        var engine = await TestDocker.EngineAsync(runtime, o => o.StdoutFloodTimeout = FloodTimeout);
        var sessionBound = TestDocker.Options(runtime).StdoutBufferBytes;
        await using var sandbox = await engine.StartAsync(Hostile("flood-idle"), CancellationToken.None);

        // 12 lines of 4 MiB: 48 MiB, six times the session's bound, read as they come with a pause between.
        long read = 0, most = 0;
        for (var i = 0; i < 12; i++)
        {
            var line = await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            read += line.Length;
            most = Math.Max(most, sandbox.BufferedBytes);
            await Task.Delay(100);
        }

        await sandbox.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"still here"}}}"""u8.ToArray(), CancellationToken.None);
        JsonObject? answer = null;
        while (answer is null)
        {
            var line = await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            most = Math.Max(most, sandbox.BufferedBytes);
            if (JsonNode.Parse(line.Span)!.AsObject() is { } message && message.ContainsKey("id"))
            {
                answer = message;
            }
        }

        Assert.That(read, Is.EqualTo(12L * 4 * 1024 * 1024));
        Assert.That(answer["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("still here"));
        Assert.That(sandbox.Exited.IsCompleted, Is.False);
        Assert.That(most, Is.LessThanOrEqualTo(sessionBound));
    }

    [Test]
    public async Task Many_small_lines_are_held_by_their_bytes_not_by_their_number()
    {
        const int Lines = 5000;
        var engine = await TestDocker.EngineAsync(runtime);
        await using var sandbox = await engine.StartAsync(Hostile("lines", Lines.ToString(System.Globalization.CultureInfo.InvariantCulture)), CancellationToken.None);

        // Nobody reads until every line is buffered: far more lines than the old item bound (1024), far fewer bytes than the bound.
        var clock = Stopwatch.StartNew();
        while (sandbox.Messages.Count < Lines && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20);
        }

        Assert.That(sandbox.Messages.Count, Is.EqualTo(Lines));
        var buffered = sandbox.BufferedBytes;
        long expected = 0;
        for (var i = 0; i < Lines; i++)
        {
            var line = await sandbox.Messages.ReadAsync();
            Assert.That(Encoding.UTF8.GetString(line.Span), Does.Contain($"\"n\":{i}}}"));
            expected += line.Length + StdoutBuffer.MessageOverheadBytes;
        }

        Assert.That(buffered, Is.EqualTo(expected));
        Assert.That(sandbox.BufferedBytes, Is.EqualTo(0));
        Assert.That(sandbox.Exited.IsCompleted, Is.False);
    }
}
