using Microsoft.Extensions.Logging;
using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Clients whose <c>client_id</c> is the https URL of their metadata document (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25).</summary>
/// <remarks>
/// The URL is attacker-chosen, so it is vetted before anything is fetched, fetched SSRF-safely within the limits of
/// <c>oauth.clientMetadataDocuments</c> (read live from <see cref="ConfigMonitor"/>), and the answer, good or bad,
/// is cached: a good document for as long as its HTTP headers say within [minCache, maxCache], a refusal for
/// <see cref="FailureLifetime"/>. A change of those settings empties the cache.
/// </remarks>
internal sealed class ClientMetadataDocuments : IDisposable
{
    /// <summary>The longest <c>client_id</c> URL considered; also the column's limit.</summary>
    public const int MaxClientIdLength = 2048;

    /// <summary>How many URLs' answers are kept; each holds at most <see cref="MetadataDocumentReader.MaxRetainedChars"/> characters.</summary>
    public const int MaxCachedDocuments = 10_000;

    /// <summary>How long a refusal is kept, so one bad URL sent over and over is fetched at most this often.</summary>
    public static readonly TimeSpan FailureLifetime = TimeSpan.FromSeconds(30);

    private readonly ConfigMonitor config;
    private readonly ILogger<ClientMetadataDocuments> logger;
    private readonly MetadataDocumentFetcher fetcher;
    private readonly MetadataDocumentCache cache;
    private readonly CancellationTokenSource stopping = new();

    public ClientMetadataDocuments(ConfigMonitor config, TimeProvider timeProvider, ILogger<ClientMetadataDocuments> logger)
    {
        this.config = config;
        this.logger = logger;
        fetcher = new MetadataDocumentFetcher(() => config.Current.OAuth.ClientMetadataDocuments, timeProvider, logger);
        cache = new MetadataDocumentCache(timeProvider, MaxCachedDocuments);
        config.Changed += OnConfigChanged;
    }

    /// <summary>How many URLs have an answer kept (or a fetch under way).</summary>
    public int CachedCount => cache.Count;

    /// <summary>
    /// Whether <paramref name="clientId"/> names a metadata document: an absolute https URL of at most 2 KiB of
    /// printable ASCII with a host and a path other than <c>/</c>, without user info, fragment or dot segments.
    /// </summary>
    public static bool IsMetadataDocumentId(string clientId)
    {
        if (clientId.Length is 0 or > MaxClientIdLength || clientId.AsSpan().ContainsAnyExceptInRange('!', '~')
            || !clientId.StartsWith("https://", StringComparison.Ordinal) || clientId.Contains('#', StringComparison.Ordinal)
            || !Uri.TryCreate(clientId, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || uri.Host.Length == 0 || uri.UserInfo.Length > 0)
        {
            return false;
        }

        var rest = clientId.AsSpan("https://".Length);
        var pathStart = rest.IndexOf('/');
        if (pathStart < 0 || rest[..pathStart].Contains('@'))
        {
            return false;
        }

        var path = rest[pathStart..];
        if (path.IndexOf('?') is var query and >= 0)
        {
            path = path[..query];
        }

        if (path.Length <= 1)
        {
            return false;
        }

        foreach (var range in path[1..].Split('/'))
        {
            var segment = path[1..][range].ToString().Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            if (segment is "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The public client the document at <paramref name="clientId"/> describes, or why there is none (a reason safe to show).</summary>
    public async Task<ClientLookup> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        if (!config.Current.OAuth.ClientMetadataDocuments.Enabled)
        {
            return ClientLookup.Refused("This server does not accept client ID metadata documents; register the client instead.");
        }

        if (!IsMetadataDocumentId(clientId))
        {
            return ClientLookup.Refused("The client_id is not a metadata document URL: an https URL with a path, without a fragment, user info or dot segments, at most 2048 characters.");
        }

        return await cache.GetAsync(clientId, () => FetchAsync(clientId)).WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        config.Changed -= OnConfigChanged;
        stopping.Cancel();
        stopping.Dispose();
        fetcher.Dispose();
    }

    // Detached from the caller that started it: callers that give up do not cancel the fetch others wait for.
    private async Task<DocumentFetch> FetchAsync(string clientId)
    {
        var url = new Uri(clientId, UriKind.Absolute);
        try
        {
            return await fetcher.FetchAsync(url, config.Current.OAuth.ClientMetadataDocuments, FailureLifetime, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return new DocumentFetch(ClientLookup.Refused("The server is shutting down."), TimeSpan.Zero);
        }
        catch (Exception ex)
        {
            ClientMetadataLog.FetchCrashed(logger, ex, url.Host);
            return new DocumentFetch(ClientLookup.Refused("The client's metadata document could not be read."), FailureLifetime);
        }
    }

    private void OnConfigChanged(object? sender, ConfigChangedEventArgs e)
    {
        if (e.Previous.OAuth.ClientMetadataDocuments != e.Current.OAuth.ClientMetadataDocuments)
        {
            cache.Clear();
        }
    }
}
