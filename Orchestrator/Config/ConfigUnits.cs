using System.Globalization;
using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.Config;

/// <summary>The size and duration notations of smcp.yaml: <c>512Mi</c>, <c>2Gi</c>, <c>100M</c>; <c>90s</c>, <c>1h30m</c>.</summary>
internal static partial class ConfigUnits
{
    private static readonly Dictionary<string, long> SizeUnits = new(StringComparer.Ordinal)
    {
        [""] = 1,
        ["k"] = 1000,
        ["K"] = 1000,
        ["M"] = 1000 * 1000,
        ["G"] = 1000L * 1000 * 1000,
        ["T"] = 1000L * 1000 * 1000 * 1000,
        ["Ki"] = 1L << 10,
        ["Mi"] = 1L << 20,
        ["Gi"] = 1L << 30,
        ["Ti"] = 1L << 40,
    };

    /// <summary>Bytes from a plain integer or a number with a unit; SI units (k, M, G, T) are powers of 1000, binary ones (Ki, Mi, Gi, Ti) of 1024.</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var match = SizePattern().Match(text);
        if (!match.Success || !SizeUnits.TryGetValue(match.Groups["unit"].Value, out var multiplier))
        {
            return false;
        }

        var number = match.Groups["number"].Value;
        if (multiplier == 1 && number.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }

        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        var total = value * multiplier;
        if (total > long.MaxValue || total != decimal.Truncate(total))
        {
            return false;
        }

        bytes = (long)total;
        return true;
    }

    /// <summary>A duration written as whole numbers of days, hours, minutes, seconds and milliseconds, largest first: <c>1h30m</c>, <c>90s</c>, <c>500ms</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return false;
        }

        try
        {
            duration = TimeSpan.FromDays(Part(match, "d")) + TimeSpan.FromHours(Part(match, "h")) + TimeSpan.FromMinutes(Part(match, "m"))
                + TimeSpan.FromSeconds(Part(match, "s")) + TimeSpan.FromMilliseconds(Part(match, "ms"));
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>The shortest exact form: <c>512Mi</c>, <c>100M</c>, or plain bytes.</summary>
    public static string FormatSize(long bytes)
    {
        foreach (var unit in new[] { "Ti", "Gi", "Mi", "Ki", "T", "G", "M", "k" })
        {
            var multiplier = SizeUnits[unit];
            if (bytes != 0 && bytes % multiplier == 0)
            {
                return (bytes / multiplier).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The form <see cref="TryParseDuration"/> reads: <c>15m</c>, <c>1h30m</c>, <c>0s</c>.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        var parts = new (long Value, string Unit)[]
        {
            (duration.Days, "d"), (duration.Hours, "h"), (duration.Minutes, "m"), (duration.Seconds, "s"), (duration.Milliseconds, "ms"),
        };
        var text = string.Concat(parts.Where(p => p.Value != 0).Select(p => p.Value.ToString(CultureInfo.InvariantCulture) + p.Unit));
        return text.Length == 0 ? "0s" : text;
    }

    private static long Part(Match match, string unit) =>
        match.Groups[unit].Success ? long.Parse(match.Groups[unit].Value, NumberStyles.None, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]+)?)(?<unit>[A-Za-z]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();

    [GeneratedRegex("^(?:(?<d>[0-9]{1,6})d)?(?:(?<h>[0-9]{1,7})h)?(?:(?<m>[0-9]{1,9})m(?!s))?(?:(?<s>[0-9]{1,11})s)?(?:(?<ms>[0-9]{1,14})ms)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
