using System.Collections.Concurrent;

namespace Smcp.Orchestrator.OAuth;

/// <summary>The answers of recent metadata document fetches, in memory, bounded in entries; one fetch per URL at a time.</summary>
/// <remarks>
/// A lookup while a fetch of the same URL is under way waits for that fetch instead of starting another, and
/// refusals are kept too (briefly), so neither a burst of sign-ins nor one bad URL repeated makes SMCP fetch per
/// request. At capacity, expired answers go first, then the one closest to expiry.
/// </remarks>
internal sealed class MetadataDocumentCache(TimeProvider timeProvider, int capacity)
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public int Count => entries.Count;

    /// <summary>The cached or shared answer for <paramref name="key"/>, starting <paramref name="fetch"/> when there is none.</summary>
    /// <param name="fetch">Runs at most once per stored entry, detached from any one caller; it must not throw.</param>
    public Task<ClientLookup> GetAsync(string key, Func<Task<DocumentFetch>> fetch)
    {
        while (true)
        {
            var now = timeProvider.GetUtcNow();
            if (entries.TryGetValue(key, out var current))
            {
                if (!current.IsExpired(now))
                {
                    return current.Answer;
                }

                var replacement = new Entry();
                if (entries.TryUpdate(key, replacement, current))
                {
                    return replacement.Run(fetch, timeProvider);
                }

                continue;
            }

            MakeRoom(now);
            var added = new Entry();
            if (entries.TryAdd(key, added))
            {
                return added.Run(fetch, timeProvider);
            }
        }
    }

    public void Clear() => entries.Clear();

    private void MakeRoom(DateTimeOffset now)
    {
        if (entries.Count < capacity)
        {
            return;
        }

        foreach (var (key, entry) in entries)
        {
            if (entry.IsExpired(now))
            {
                entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }

        while (entries.Count >= capacity)
        {
            KeyValuePair<string, Entry>? soonest = null;
            foreach (var pair in entries)
            {
                if (soonest is null || pair.Value.ExpiresAt < soonest.Value.Value.ExpiresAt)
                {
                    soonest = pair;
                }
            }

            if (soonest is not { } victim)
            {
                return;
            }

            entries.TryRemove(victim);
        }
    }

    private sealed class Entry
    {
        private readonly TaskCompletionSource<ClientLookup> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long expiresAtTicks = long.MaxValue;

        public Task<ClientLookup> Answer => answer.Task;

        /// <summary>When the answer stops being used; the far future while the fetch is under way.</summary>
        public long ExpiresAt => Interlocked.Read(ref expiresAtTicks);

        public bool IsExpired(DateTimeOffset now) => now.UtcTicks >= ExpiresAt;

        public Task<ClientLookup> Run(Func<Task<DocumentFetch>> fetch, TimeProvider timeProvider)
        {
            _ = CompleteAsync(fetch, timeProvider);
            return answer.Task;
        }

        private async Task CompleteAsync(Func<Task<DocumentFetch>> fetch, TimeProvider timeProvider)
        {
            try
            {
                var result = await fetch();
                Interlocked.Exchange(ref expiresAtTicks, (timeProvider.GetUtcNow() + result.Lifetime).UtcTicks);
                answer.SetResult(result.Lookup);
            }
            catch (Exception ex)
            {
                // A bug, not an outcome: the waiters hear of it, and the next lookup tries afresh.
                Interlocked.Exchange(ref expiresAtTicks, long.MinValue);
                answer.SetException(ex);
            }
        }
    }
}
