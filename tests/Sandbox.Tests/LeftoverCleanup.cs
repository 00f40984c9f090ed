using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests;

/// <summary>Before any test: the containers an earlier, interrupted run of these tests left behind are removed, as SMCP does at start-up.</summary>
[SetUpFixture]
public sealed class LeftoverCleanup
{
    [OneTimeSetUp]
    public async Task RemoveLeftovers()
    {
        var engine = SandboxServiceCollectionExtensions.CreateEngine(await TestDocker.ClientAsync(), TestDocker.Options(SandboxRuntimes.Runc), NullLoggerFactory.Instance);
        await engine.RemoveOrphansAsync(CancellationToken.None);
    }
}
