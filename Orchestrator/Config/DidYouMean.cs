namespace Smcp.Orchestrator.Config;

/// <summary>Suggests the allowed word closest to a misspelt one.</summary>
internal static class DidYouMean
{
    /// <summary>" (did you mean 'maxServers'?)" when one candidate is close enough, else "".</summary>
    public static string Hint(string given, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Candidate: c, Distance: Distance(given.ToLowerInvariant(), c.ToLowerInvariant())))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        var close = best.Candidate is not null && best.Distance <= Math.Max(1, Math.Min(given.Length, best.Candidate.Length) / 3);
        return close ? $" (did you mean '{best.Candidate}'?)" : "";
    }

    // Levenshtein distance with two rows.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
