using System.Text;
using Smcp.Sandbox.Stdio;

namespace Smcp.Sandbox.Tests.Stdio;

public sealed class StderrRingTests
{
    [Test]
    public void Keeps_everything_while_under_capacity()
    {
        var ring = new StderrRing(64);
        ring.Append("first\n"u8);
        ring.Append("second\n"u8);
        Assert.That(ring.Snapshot(), Is.EqualTo("first\nsecond\n"));
    }

    [Test]
    public void Keeps_the_newest_bytes_from_the_first_whole_line()
    {
        var ring = new StderrRing(16);
        foreach (var i in Enumerable.Range(0, 10))
        {
            ring.Append(Encoding.UTF8.GetBytes($"line {i}\n"));
        }

        Assert.That(ring.Snapshot(), Is.EqualTo("line 8\nline 9\n"));
        Assert.That(ring.TotalBytes, Is.EqualTo(70));
    }

    [Test]
    public void A_chunk_larger_than_the_ring_keeps_its_tail()
    {
        var ring = new StderrRing(8);
        ring.Append("aaaaaaaaaa\nbbbbbb"u8);
        Assert.That(ring.Snapshot(), Is.EqualTo("bbbbbb"));
    }
}
