using System.Net;
using Microsoft.AspNetCore.Http;
using Smcp.Proxy.Replicas;

namespace Smcp.Proxy.Tests.Replicas;

/// <summary>The hop signature between replicas: what it binds, and every way a forged or replayed one is refused.</summary>
public sealed class ReplicaHopTests
{
    private const string Secret = "a-secret-of-more-than-thirty-two-characters";

    [Test]
    public void A_signed_hop_is_accepted_once_and_takes_on_the_original_addresses()
    {
        var clock = new Clock(DateTimeOffset.UtcNow);
        var context = Received(Hop(clock).Sign(Original()));

        Assert.That(Hop(clock).TryAccept(context), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(context.Connection.RemoteIpAddress, Is.EqualTo(IPAddress.Parse("203.0.113.7")));
            Assert.That(context.Connection.LocalIpAddress, Is.EqualTo(IPAddress.Parse("192.0.2.1")));
            Assert.That(context.Request.Scheme, Is.EqualTo("https"));
            Assert.That(ReplicaHop.IsForwarded(context), Is.True);
            Assert.That(ReplicaHop.CarriesHopHeaders(context.Request), Is.False, "the hop headers are removed once checked");
        });
    }

    [TestCase("path")]
    [TestCase("session")]
    [TestCase("host")]
    [TestCase("client")]
    [TestCase("secret")]
    [TestCase("stale")]
    [TestCase("future")]
    [TestCase("garbage")]
    public void A_hop_changed_in_any_signed_part_or_out_of_its_window_is_refused(string change)
    {
        var clock = new Clock(DateTimeOffset.UtcNow);
        var headers = Hop(clock).Sign(Original()).ToList();
        var context = Received(headers);
        var receiver = Hop(clock);
        switch (change)
        {
            case "path": context.Request.Path = "/t/acme/other/mcp"; break;
            case "session": context.Request.Headers["Mcp-Session-Id"] = "another"; break;
            case "host": context.Request.Host = new HostString("evil.example"); break;
            case "client": context.Request.Headers[ReplicaHop.ClientHeader] = "198.51.100.1"; break;
            case "secret": receiver = new ReplicaHop(new ReplicaOptions { Secret = Secret + "x" }, clock); break;
            case "stale": clock.Now += TimeSpan.FromSeconds(31); break;
            case "future": clock.Now -= TimeSpan.FromSeconds(31); break;
            case "garbage": context.Request.Headers[ReplicaHop.SignatureHeader] = "t=99999999999999999999,v1=zz"; break;
        }

        Assert.That(receiver.TryAccept(context), Is.False);
        Assert.That(ReplicaHop.IsForwarded(context), Is.False);
    }

    [Test]
    public void Replica_settings_report_every_mistake()
    {
        var options = new ReplicaOptions { Id = "bad id!", InternalListen = "http://127.0.0.1:8080", Secret = "short", Heartbeat = TimeSpan.FromSeconds(10) };
        var problems = options.Problems(["http://127.0.0.1:8080"]);
        var good = new ReplicaOptions { Id = "r1", InternalListen = "http://127.0.0.1:7801", Secret = Secret }.Problems(["http://127.0.0.1:8080"]);
        var off = new ReplicaOptions { Id = "smcp" }.Problems(["http://127.0.0.1:8080"]);
        var everyAddress = new ReplicaOptions { Id = "r1", InternalListen = "http://0.0.0.0:7801", Secret = Secret }.Problems([]);

        Assert.That((problems.Count, good, off, everyAddress.Count), Is.EqualTo((4, (IReadOnlyList<string>)[], (IReadOnlyList<string>)[], 1)), string.Join('\n', problems));
    }

    private static ReplicaHop Hop(TimeProvider clock) => new(new ReplicaOptions { Secret = Secret }, clock);

    private static DefaultHttpContext Original()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("mcp.example.com");
        context.Request.Path = "/t/acme/notes/mcp";
        context.Request.Headers["Mcp-Session-Id"] = "session-1";
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        context.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.1");
        return context;
    }

    /// <summary>The same request as it arrives on the owner's internal listener, from the forwarding replica on loopback.</summary>
    private static DefaultHttpContext Received(IEnumerable<(string Name, string Value)> hopHeaders)
    {
        var context = Original();
        context.Request.Scheme = "http";
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Connection.LocalIpAddress = IPAddress.Loopback;
        foreach (var (name, value) in hopHeaders)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
