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
        var snapshot = ring.Snapshot();
        Assert.That(Text(snapshot), Is.EqualTo("first\nsecond\n"));
        Assert.That((snapshot.TotalBytes, snapshot.DroppedBytes), Is.EqualTo((13L, 0L)));
    }

    [Test]
    public void Keeps_the_newest_bytes_from_the_first_whole_line()
    {
        var ring = new StderrRing(16);
        foreach (var i in Enumerable.Range(0, 10))
        {
            ring.Append(Encoding.UTF8.GetBytes($"line {i}\n"));
        }

        var snapshot = ring.Snapshot();
        Assert.That(Text(snapshot), Is.EqualTo("line 8\nline 9\n"));
        Assert.That(snapshot.TotalBytes, Is.EqualTo(70));
        Assert.That(snapshot.DroppedBytes, Is.EqualTo(56), "the bytes that fell out and the cut line before the first whole one");
    }

    [Test]
    public void A_chunk_larger_than_the_ring_keeps_its_tail()
    {
        var ring = new StderrRing(8);
        ring.Append("aaaaaaaaaa\nbbbbbb"u8);
        var snapshot = ring.Snapshot();
        Assert.That(Text(snapshot), Is.EqualTo("bbbbbb"));
        Assert.That(snapshot.DroppedBytes, Is.EqualTo(11));
    }

    private static string Text(StderrSnapshot snapshot) => Encoding.UTF8.GetString(snapshot.Bytes.Span);
}
