using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.OAuth;

/// <summary>One bounded GET of a client ID metadata document, made so that a hostile <c>client_id</c> cannot aim SMCP at its own network.</summary>
/// <remarks>
/// The address check sits in the connect callback and judges the address the socket actually connects to, after
/// SMCP resolved the name itself: no DNS answer that changes between a check and the connection (rebinding) can
/// reach a private address. No proxy (it would be the address connected), no cookies, no redirects (a 3xx is
/// refused: every hop would be a new target to vet, and the specification lets a server refuse them), no
/// decompression (the byte limit counts the bytes on the wire), and no pooled connection: each fetch connects
/// afresh, so a connection opened while private addresses were allowed is never reused after they are not.
/// </remarks>
internal sealed class MetadataDocumentFetcher : IDisposable
{
    private const int ReadChunk = 8192;

    private static readonly HttpRequestOptionsKey<bool> AllowPrivateKey = new("smcp.cimd.allow-private");
    private static readonly HttpRequestOptionsKey<bool> BlockedKey = new("smcp.cimd.blocked");

    private readonly HttpMessageInvoker invoker;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;

    public MetadataDocumentFetcher(Func<ClientMetadataDocumentConfig> options, TimeProvider timeProvider, ILogger logger)
    {
        this.timeProvider = timeProvider;
        this.logger = logger;
        var trust = new ExtraTrustRoots(() => options().TrustedCertificatesFile, logger);
        invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.Zero,
            MaxResponseHeadersLength = 16,
            ConnectCallback = ConnectAsync,
            SslOptions = { RemoteCertificateValidationCallback = trust.Validate },
        });
    }

    public async Task<DocumentFetch> FetchAsync(Uri url, ClientMetadataDocumentConfig options, TimeSpan failureLifetime, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        request.Options.Set(AllowPrivateKey, options.AllowPrivateAddresses);
        try
        {
            using var response = await invoker.SendAsync(request, linked.Token);
            var refusal = StatusProblem(response) ?? LengthProblem(response, options.MaxBytes);
            if (refusal is not null)
            {
                return Refuse(url, refusal, failureLifetime);
            }

            var body = await ReadBoundedAsync(response.Content, options.MaxBytes, linked.Token);
            if (body is null)
            {
                return Refuse(url, $"The client's metadata document is larger than {options.MaxBytes} bytes.", failureLifetime);
            }

            var lookup = MetadataDocumentReader.Read(url.OriginalString, body.Value);
            if (lookup.Error is { } error)
            {
                return Refuse(url, error, failureLifetime);
            }

            return new DocumentFetch(lookup, CacheLifetime(response, options));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Refuse(url, $"The client's metadata document did not arrive within {options.Timeout.TotalSeconds:0.###} s.", failureLifetime);
        }
        catch (HttpRequestException ex) when (request.Options.TryGetValue(BlockedKey, out var blocked) && blocked)
        {
            ClientMetadataLog.FetchFailed(logger, url.Host, "no public address: " + ex.HttpRequestError);
            return Refuse(url, "The client's metadata document is on a private, loopback or otherwise non-public address, which SMCP does not fetch from.", failureLifetime);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            ClientMetadataLog.FetchFailed(logger, url.Host, ex is HttpRequestException http ? http.HttpRequestError.ToString() : ex.GetType().Name);
            return Refuse(url, "The client's metadata document could not be fetched (no connection, or its TLS certificate is not trusted).", failureLifetime);
        }
    }

    public void Dispose() => invoker.Dispose();

    private DocumentFetch Refuse(Uri url, string reason, TimeSpan lifetime)
    {
        ClientMetadataLog.DocumentRefused(logger, url.Host, reason);
        return new DocumentFetch(ClientLookup.Refused(reason), lifetime);
    }

    private static string? StatusProblem(HttpResponseMessage response) => (int)response.StatusCode switch
    {
        200 => null,
        >= 300 and < 400 => "The client's metadata document URL answered with a redirect; SMCP does not follow redirects for metadata documents.",
        var status => $"The client's metadata document URL answered HTTP {status} instead of 200.",
    };

    private static string? LengthProblem(HttpResponseMessage response, long maxBytes) =>
        response.Content.Headers.ContentLength > maxBytes ? $"The client's metadata document is larger than {maxBytes} bytes." : null;

    /// <summary>The body, or null when it runs past <paramref name="maxBytes"/>; never reads more than one chunk past the limit.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[ReadChunk];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>Cache-Control max-age, else Expires; no-store, no-cache or neither header gives the shortest lifetime; always within the configured bounds.</summary>
    private TimeSpan CacheLifetime(HttpResponseMessage response, ClientMetadataDocumentConfig options)
    {
        var control = response.Headers.CacheControl;
        TimeSpan wanted;
        if (control is { NoStore: true } or { NoCache: true })
        {
            wanted = options.MinCache;
        }
        else if (control?.MaxAge is { } maxAge)
        {
            wanted = maxAge;
        }
        else if (response.Content.Headers.Expires is { } expires)
        {
            wanted = expires - (response.Headers.Date ?? timeProvider.GetUtcNow());
        }
        else
        {
            wanted = options.MinCache;
        }

        return wanted > options.MaxCache ? options.MaxCache : wanted < options.MinCache ? options.MinCache : wanted;
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var request = context.InitialRequestMessage;
        var allowPrivate = request.Options.TryGetValue(AllowPrivateKey, out var allow) && allow;
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var targets = allowPrivate ? addresses : Array.FindAll(addresses, PublicAddress.IsPublic);
        if (targets.Length == 0)
        {
            request.Options.Set(BlockedKey, true);
            throw new HttpRequestException(HttpRequestError.ConnectionError, "The host has no public address.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(targets, context.DnsEndPoint.Port, cancellationToken);

            // The address connected to, judged again: whatever the resolver said, this is where the bytes go.
            if (!allowPrivate && (socket.RemoteEndPoint is not IPEndPoint connected || !PublicAddress.IsPublic(connected.Address)))
            {
                request.Options.Set(BlockedKey, true);
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connected to a non-public address.");
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
