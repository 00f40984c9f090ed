using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Tests.Support;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Tests.Sessions;

/// <summary>
/// A server that misbehaves on purpose (tests/servers/hostile): it floods stdout with 4 MiB lines while warm and
/// idle, answers ids nobody asked, and never answers <c>hang</c>. The proxy's memory stays within its documented
/// bounds and every other session keeps working.
/// </summary>
// RSS is the whole test process's: no other fixture may allocate while it is measured.
[NonParallelizable]
public sealed class HostileServerTests
{
    private const int WarmFlooders = 4;
    private const long MiB = 1024 * 1024;

    [Test]
    public async Task Flooding_stray_answering_never_answering_servers_keep_the_proxy_within_its_bounds_and_others_working()
    {
        var target = TestHost.Catalog.Target("hostile", "flood");
        var options = TestHost.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        var before = RssBytes();

        // Warm flooders with nobody reading: each holds at most the warm stdout bound plus one line being assembled.
        TestHost.Services.GetRequiredService<WarmPool>().Warm(target.Spec, target.Pool with { WarmSize = WarmFlooders });
        var hostile = TestHost.Http("hostile", "flood");
        var session = await hostile.InitializeAsync(token: TestCredentials.Admin);
        var hang = hostile.PostAsync(McpHttp.Call("never", "hang"), session, token: TestCredentials.Admin);
        var other = TestHost.Http("acme", "conf");
        var otherSession = await other.InitializeAsync();

        var peak = before;
        for (var i = 0; i < 20; i++)
        {
            using var echo = await hostile.PostAsync(McpHttp.Call(i, "echo", $$"""{"message":"h{{i}}"}"""), session, token: TestCredentials.Admin);
            Assert.That(await echo.Content.ReadAsStringAsync(), Does.Contain($"h{i}"), "the hostile session's own answers still come");
            using var answer = await other.PostAsync(McpHttp.Call(i, "echo", $$"""{"message":"o{{i}}"}"""), otherSession);
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await answer.Content.ReadAsStringAsync(), Does.Contain($"o{i}"), "another tenant's session keeps working");
            peak = Math.Max(peak, RssBytes());
            await Task.Delay(400);
        }

        // Per warm flooder: its stdout bound, one 4 MiB line in assembly and a line's worth on its way through the
        // multiplexed stream; the live session: its replay budget. The slack covers the runtime and the GC's headroom.
        var bound = WarmFlooders * (options.WarmStdoutBufferBytes + 2 * options.MaxMessageBytes) + TestHostSessionBudget() + 64 * MiB;
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS before {before / MiB} MiB, peak {peak / MiB} MiB (+{(peak - before) / MiB} MiB), bound +{bound / MiB} MiB"));
        Assert.That(peak - before, Is.LessThanOrEqualTo(bound));
        Assert.That(hang.IsCompleted, Is.False, "the never-answered call is still pending, and pins nothing else");

        foreach (var (http, id, token) in new[] { (hostile, session, TestCredentials.Admin), (other, otherSession, TestCredentials.AcmeUser) })
        {
            (await http.SendAsync(http.Request(HttpMethod.Delete, token: token, session: id))).Dispose();
        }

        using var ended = await hang;
        await TestHost.Services.GetRequiredService<WarmPool>().DrainAsync("hostile", "flood");
    }

    private static long TestHostSessionBudget() =>
        TestHost.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.SessionReplayBudgetBytes;

    private static long RssBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
