using System.Text;
using Smcp.Sandbox.Stdio;

namespace Smcp.Sandbox.Tests.Stdio;

public sealed class LineSplitterTests
{
    private static (bool Ok, List<string> Lines) Feed(int max, params string[] chunks)
    {
        var splitter = new LineSplitter(max);
        var lines = new List<string>();
        var ok = true;
        foreach (var chunk in chunks)
        {
            ok = splitter.Feed(Encoding.UTF8.GetBytes(chunk), line => lines.Add(Encoding.UTF8.GetString(line)));
            if (!ok)
            {
                break;
            }
        }

        return (ok, lines);
    }

    [Test]
    public void Lines_split_across_chunks_are_joined()
    {
        var (ok, lines) = Feed(100, "{\"a\":", "1}\n{\"b\"", ":2}\n{\"c\":3}");
        Assert.That(ok, Is.True);
        Assert.That(lines, Is.EqualTo(new[] { "{\"a\":1}", "{\"b\":2}" }));
    }

    [Test]
    public void Several_lines_in_one_chunk_come_out_in_order_without_CR_or_empty_lines()
    {
        var (_, lines) = Feed(100, "one\r\n\ntwo\nthree\n");
        Assert.That(lines, Is.EqualTo(new[] { "one", "two", "three" }));
    }

    [Test]
    public void A_line_over_the_limit_is_refused_even_when_it_arrives_in_pieces()
    {
        var (ok, lines) = Feed(10, "12345", "67890", "1");
        Assert.That(ok, Is.False);
        Assert.That(lines, Is.Empty);
    }

    [Test]
    public void A_line_exactly_at_the_limit_passes()
    {
        var (ok, lines) = Feed(10, "1234567890\n");
        Assert.That(ok, Is.True);
        Assert.That(lines, Is.EqualTo(new[] { "1234567890" }));
    }

    [Test]
    public void A_long_line_gives_its_assembly_space_back_once_it_is_emitted()
    {
        var splitter = new LineSplitter(4 * 1024 * 1024);
        var chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'x');
        var emitted = 0;
        for (var i = 0; i < 16; i++)
        {
            splitter.Feed(chunk, _ => emitted++);
        }

        Assert.That(splitter.Capacity, Is.GreaterThanOrEqualTo(1024 * 1024), "a 1 MiB line is being assembled");
        splitter.Feed("\n{}"u8, line => emitted += line.Length == 1024 * 1024 ? 1 : 100);

        Assert.That(emitted, Is.EqualTo(1));
        Assert.That(splitter.Capacity, Is.LessThanOrEqualTo(64 * 1024));
    }
}
