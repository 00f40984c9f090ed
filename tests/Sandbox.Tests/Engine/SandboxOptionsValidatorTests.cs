namespace Smcp.Sandbox.Tests.Engine;

public sealed class SandboxOptionsValidatorTests
{
    [Test]
    public void Defaults_are_valid() =>
        Assert.That(new SandboxOptionsValidator().Validate(null, new SandboxOptions()).Succeeded, Is.True);

    [Test]
    public void Every_mistake_is_reported_at_once_naming_the_setting()
    {
        var result = new SandboxOptionsValidator().Validate(null, new SandboxOptions
        {
            DefaultRuntime = "kata",
            InstanceId = "a b",
            GvisorPidsLimit = 64,
        });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.Failures!.Count(), Is.EqualTo(3));
        Assert.That(result.FailureMessage, Does.Contain("Sandbox:DefaultRuntime").And.Contain("Sandbox:InstanceId")
            .And.Contain("Sandbox:GvisorPidsLimit"));
    }

    [Test]
    public void Stdout_bounds_that_cannot_hold_the_longest_message_or_a_flood_timeout_of_zero_are_refused()
    {
        var result = new SandboxOptionsValidator().Validate(null, new SandboxOptions
        {
            StdoutBufferBytes = 4 * 1024 * 1024,
            WarmStdoutBufferBytes = 512,
            StdoutFloodTimeout = TimeSpan.Zero,
        });

        Assert.That(result.Failures!.Count(), Is.EqualTo(3));
        Assert.That(result.FailureMessage, Does.Contain("Sandbox:StdoutBufferBytes must be at least MaxMessageBytes + 64 (4194368)")
            .And.Contain("Sandbox:WarmStdoutBufferBytes").And.Contain("Sandbox:StdoutFloodTimeout"));
    }
}
