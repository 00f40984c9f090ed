using Smcp.Sandbox.Stdio;

namespace Smcp.Sandbox.Tests.Stdio;

public sealed class StdoutBufferTests
{
    private const int Overhead = StdoutBuffer.MessageOverheadBytes;

    [Test]
    public async Task Each_message_counts_its_bytes_plus_the_overhead_and_reading_gives_them_back()
    {
        var buffer = new StdoutBuffer(10_000, TimeProvider.System);

        Assert.That(await buffer.WriteAsync(new byte[100], TimeSpan.Zero, CancellationToken.None), Is.True);
        Assert.That(await buffer.WriteAsync(new byte[36], TimeSpan.Zero, CancellationToken.None), Is.True);
        Assert.That(buffer.BufferedBytes, Is.EqualTo(100 + 36 + 2 * Overhead));

        Assert.That(buffer.Reader.TryRead(out var first), Is.True);
        Assert.That(first.Length, Is.EqualTo(100));
        Assert.That(buffer.BufferedBytes, Is.EqualTo(36 + Overhead));
        await buffer.Reader.ReadAsync();
        Assert.That(buffer.BufferedBytes, Is.EqualTo(0));
    }

    [Test]
    public async Task Small_messages_are_held_to_the_bound_in_bytes_not_by_their_number()
    {
        var buffer = new StdoutBuffer(100 * (10 + Overhead), TimeProvider.System);
        var accepted = 0;
        while (await buffer.WriteAsync(new byte[10], TimeSpan.Zero, CancellationToken.None))
        {
            accepted++;
        }

        Assert.That(accepted, Is.EqualTo(100));
        Assert.That(buffer.Reader.Count, Is.EqualTo(100));
        Assert.That(buffer.BufferedBytes, Is.EqualTo(buffer.Bound));
    }

    [Test]
    public async Task A_message_that_does_not_fit_waits_until_a_read_makes_room()
    {
        var buffer = new StdoutBuffer(2 * (100 + Overhead), TimeProvider.System);
        await buffer.WriteAsync(new byte[100], TimeSpan.Zero, CancellationToken.None);
        await buffer.WriteAsync(new byte[100], TimeSpan.Zero, CancellationToken.None);

        var third = buffer.WriteAsync(new byte[100], TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.That(third.IsCompleted, Is.False, "no room: the writer waits");

        buffer.Reader.TryRead(out _);
        Assert.That(await third.WaitAsync(TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(buffer.BufferedBytes, Is.EqualTo(2 * (100 + Overhead)));
    }

    [Test]
    public async Task A_writer_that_gets_no_room_within_the_timeout_gives_up_without_adding()
    {
        var buffer = new StdoutBuffer(1024, TimeProvider.System);
        await buffer.WriteAsync(new byte[900], TimeSpan.Zero, CancellationToken.None);

        var started = TimeProvider.System.GetTimestamp();
        Assert.That(await buffer.WriteAsync(new byte[900], TimeSpan.FromMilliseconds(200), CancellationToken.None), Is.False);
        Assert.That(TimeProvider.System.GetElapsedTime(started), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190)));
        Assert.That(buffer.BufferedBytes, Is.EqualTo(900 + Overhead));
        Assert.That(buffer.Reader.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Raising_the_bound_lets_a_waiting_message_in()
    {
        var buffer = new StdoutBuffer(1024, TimeProvider.System);
        var large = buffer.WriteAsync(new byte[4096], TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.That(large.IsCompleted, Is.False, "larger than the whole bound: it waits");

        buffer.SetBound(8192);
        Assert.That(await large.WaitAsync(TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(buffer.BufferedBytes, Is.EqualTo(4096 + Overhead));
    }

    [Test]
    public async Task Dropping_all_gives_every_byte_back()
    {
        var buffer = new StdoutBuffer(10_000, TimeProvider.System);
        await buffer.WriteAsync(new byte[10], TimeSpan.Zero, CancellationToken.None);
        await buffer.WriteAsync(new byte[20], TimeSpan.Zero, CancellationToken.None);

        buffer.DropAll();

        Assert.That(buffer.BufferedBytes, Is.EqualTo(0));
        Assert.That(buffer.Reader.Count, Is.EqualTo(0));
    }
}
