using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Tests.Config;

public sealed class ConfigUnitsTests
{
    [TestCase("0", 0L)]
    [TestCase("1048576", 1048576L)]
    [TestCase("512Mi", 536870912L)]
    [TestCase("2Gi", 2147483648L)]
    [TestCase("16Ki", 16384L)]
    [TestCase("1Ti", 1099511627776L)]
    [TestCase("100M", 100000000L)]
    [TestCase("5k", 5000L)]
    [TestCase("5K", 5000L)]
    [TestCase("3G", 3000000000L)]
    [TestCase("1.5Gi", 1610612736L)]
    [TestCase("0.5M", 500000L)]
    public void Sizes_in_bytes_and_units_are_read(string text, long expected)
    {
        var ok = ConfigUnits.TryParseSize(text, out var bytes);

        Assert.That(ok, Is.True);
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("12 apples")]
    [TestCase("256 Mi")]
    [TestCase("256mi")]
    [TestCase("256MB")]
    [TestCase("-1")]
    [TestCase("1.5")]
    [TestCase("Mi")]
    [TestCase("0.3Ki")]
    [TestCase("99999999999Ti")]
    public void Malformed_sizes_are_refused(string text)
    {
        Assert.That(ConfigUnits.TryParseSize(text, out _), Is.False);
    }

    [TestCase("90s", 90)]
    [TestCase("15m", 900)]
    [TestCase("1h", 3600)]
    [TestCase("1h30m", 5400)]
    [TestCase("2d", 172800)]
    [TestCase("1d2h3m4s", 93784)]
    [TestCase("0s", 0)]
    public void Durations_in_units_are_read(string text, int expectedSeconds)
    {
        var ok = ConfigUnits.TryParseDuration(text, out var duration);

        Assert.That(ok, Is.True);
        Assert.That(duration, Is.EqualTo(TimeSpan.FromSeconds(expectedSeconds)));
    }

    [Test]
    public void Milliseconds_are_not_mistaken_for_minutes()
    {
        var ok = ConfigUnits.TryParseDuration("1m500ms", out var duration);

        Assert.That(ok, Is.True);
        Assert.That(duration, Is.EqualTo(TimeSpan.FromMilliseconds(60500)));
    }

    [TestCase("")]
    [TestCase("15")]
    [TestCase("15 m")]
    [TestCase("30m1h")]
    [TestCase("1.5h")]
    [TestCase("-5m")]
    [TestCase("soon")]
    [TestCase("00:15:00")]
    public void Malformed_durations_are_refused(string text)
    {
        Assert.That(ConfigUnits.TryParseDuration(text, out _), Is.False);
    }

    [TestCase(536870912L, "512Mi")]
    [TestCase(2147483648L, "2Gi")]
    [TestCase(100000000L, "100M")]
    [TestCase(1000L, "1k")]
    [TestCase(1023L, "1023")]
    [TestCase(0L, "0")]
    public void Sizes_are_written_in_the_shortest_exact_unit(long bytes, string expected)
    {
        Assert.That(ConfigUnits.FormatSize(bytes), Is.EqualTo(expected));
    }

    [TestCase(5400, "1h30m")]
    [TestCase(900, "15m")]
    [TestCase(0, "0s")]
    public void Durations_are_written_as_they_are_read(int seconds, string expected)
    {
        Assert.That(ConfigUnits.FormatDuration(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));
    }
}
