using System.Text;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Engine;

[TestFixture(SandboxRuntimes.Gvisor)]
[TestFixture(SandboxRuntimes.Runc)]
public sealed class BadInputTests(string runtime)
{
    [Test]
    public async Task An_unknown_image_is_a_clear_error()
    {
        var engine = await TestDocker.EngineAsync(runtime);
        var spec = TestDocker.Spec("smcp-test/no-such-image:none");

        var error = Assert.ThrowsAsync<SandboxException>(async () => await engine.StartAsync(spec, CancellationToken.None))!;
        Assert.That(error.Error, Is.EqualTo(SandboxError.ImageNotFound));
        Assert.That(error.Message, Does.Contain("smcp-test/no-such-image:none").And.Contain("not loaded"));
    }

    [Test]
    public async Task A_stdout_line_over_the_limit_ends_the_sandbox_with_that_reason()
    {
        var engine = await TestDocker.EngineAsync(runtime, o => o.MaxMessageBytes = 1024 * 1024);
        var (result, exit, _) = await Probe.RunAsync(engine, Probe.Spec("bigline", (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.That(result, Is.Null);
        Assert.That(exit.Reason, Is.EqualTo(SandboxExitReason.MessageTooLarge));
        Assert.That(exit.Describe(), Does.Contain("size limit"));
    }

    [Test]
    public async Task Non_json_stdout_lines_are_dropped_and_counted()
    {
        var engine = await TestDocker.EngineAsync(runtime);
        await using var sandbox = await engine.StartAsync(Probe.Spec("garbage"), CancellationToken.None);

        var first = await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(Encoding.UTF8.GetString(first.Span), Is.EqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"ok\"}"));
        Assert.That(sandbox.DroppedLines, Is.EqualTo(3));
    }

    [Test]
    public async Task Stderr_is_kept_as_a_bounded_tail()
    {
        var engine = await TestDocker.EngineAsync(runtime, o => o.StderrBufferBytes = 4096);
        await using var sandbox = await engine.StartAsync(Probe.Spec("stderr", "1000"), CancellationToken.None);

        await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        await sandbox.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        var tail = sandbox.StderrTail();
        Assert.That(Encoding.UTF8.GetByteCount(tail), Is.LessThanOrEqualTo(4096));
        Assert.That(tail, Does.EndWith("probe stderr line 1000\n"));
        Assert.That(tail, Does.Not.Contain("probe stderr line 1\n"));
    }

    [Test]
    public async Task A_server_that_never_reads_its_input_is_ended_after_the_write_timeout()
    {
        var engine = await TestDocker.EngineAsync(runtime, o => o.WriteTimeout = TimeSpan.FromSeconds(2));
        await using var sandbox = await engine.StartAsync(Probe.Spec("sleep", "600"), CancellationToken.None);
        var message = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"method\":\"fill\",\"params\":\"" + new string('x', 64 * 1024) + "\"}");

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            for (var i = 0; i < 4096; i++)
            {
                await sandbox.SendAsync(message, CancellationToken.None);
            }
        })!;

        Assert.That(error.Message, Does.Contain("stopped reading its input"));
        var exit = await sandbox.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(exit.Reason, Is.EqualTo(SandboxExitReason.StdinBlocked));
    }

    [Test]
    public async Task A_message_with_a_newline_inside_is_refused_before_it_reaches_the_server()
    {
        var engine = await TestDocker.EngineAsync(runtime);
        await using var sandbox = await engine.StartAsync(Probe.Spec("cat"), CancellationToken.None);

        Assert.ThrowsAsync<ArgumentException>(async () => await sandbox.SendAsync("{\"a\":\n1}"u8.ToArray(), CancellationToken.None));
        await sandbox.SendAsync("{\"a\":1}"u8.ToArray(), CancellationToken.None);
        var echoed = await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(Encoding.UTF8.GetString(echoed.Span), Is.EqualTo("{\"a\":1}"));
    }

    [Test]
    public async Task A_runtime_the_engine_lacks_names_the_setting_to_change()
    {
        var engine = await TestDocker.EngineAsync(runtime);

        var error = Assert.ThrowsAsync<SandboxException>(async () => await engine.EnsureRuntimeAsync("kata", CancellationToken.None))!;
        Assert.That(error.Error, Is.EqualTo(SandboxError.RuntimeUnavailable));
        // smcp.yaml's runtime always wins over Sandbox:DefaultRuntime under `smcp serve`, so the message names smcp.yaml's key.
        Assert.That(error.Message, Does.Contain("defaults.runtime").And.Contain("smcp.yaml").And.Not.Contain("Sandbox:DefaultRuntime"));
        Assert.DoesNotThrowAsync(async () => await engine.EnsureRuntimeAsync(runtime, CancellationToken.None));
    }
}
