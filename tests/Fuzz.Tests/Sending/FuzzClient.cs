using System.Text;
using Smcp.Fuzz.Tests.Generation;
using Smcp.Fuzz.Tests.Support;

namespace Smcp.Fuzz.Tests.Sending;

/// <summary>Sends generated requests to the fuzz target and reads what comes back, bounded in bytes and time.</summary>
internal sealed class FuzzClient : IDisposable
{
    /// <summary>A reply's body is read up to this many bytes; enough to judge it.</summary>
    public const int MaxReadBytes = 256 * 1024;

    /// <summary>How long a request may take to get its headers (the host ends a request after 5 s; slow senders take up to 9 s).</summary>
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(30);

    /// <summary>An event stream (a GET stream never ends) is read this long, then let go.</summary>
    private static readonly TimeSpan StreamReadTime = TimeSpan.FromSeconds(1);

    private readonly FuzzTarget _target;
    private readonly HttpClient _client;

    public FuzzClient(FuzzTarget target)
    {
        _target = target;
        _client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, MaxConnectionsPerServer = 32 })
        {
            BaseAddress = target.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public HttpClient Http => _client;

    public async Task<Reply> SendAsync(HostileRequest generated, int index)
    {
        using var request = new HttpRequestMessage(new HttpMethod(generated.Method), generated.Path);
        var hasBody = generated.Body.Length > 0 || generated.PadTo > 0;
        if (hasBody)
        {
            request.Content = new HostileContent(generated.Body, generated.PadTo, generated.SlowChunks, generated.SlowDelay);
        }

        foreach (var (name, value) in generated.Headers)
        {
            if (name == "Content-Type")
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var timeout = new CancellationTokenSource(HeadersTimeout);
        if (Authorization(generated) is { } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        string? session;
        try
        {
            session = generated.Session switch
            {
                SessionChoice.Live => await _target.Sessions.PickAsync(index, _client, timeout.Token),
                SessionChoice.Raw => generated.RawSession,
                _ => null,
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Reply.NoAnswer($"no session could be opened within {HeadersTimeout.TotalSeconds} s", broken: false);
        }
        if (session is not null)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Reply.NoAnswer($"no response headers within {HeadersTimeout.TotalSeconds} s", broken: false);
        }
        catch (HttpRequestException ex)
        {
            return Reply.NoAnswer($"connection broke: {ex.Message} {ex.InnerException?.Message}", broken: true);
        }

        using (response)
        {
            var contentType = response.Content.Headers.ContentType?.MediaType;
            var body = await ReadAsync(response, contentType == "text/event-stream");
            var issued = response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.FirstOrDefault() : null;
            if (session is not null && generated.Session == SessionChoice.Live && (int)response.StatusCode == 404)
            {
                _target.Sessions.Forget(session);
            }

            return new Reply((int)response.StatusCode, contentType, body, issued, null, false);
        }
    }

    private string? Authorization(HostileRequest generated) => generated.Credential switch
    {
        Credential.McpUser => "Bearer " + _target.McpKey,
        Credential.ApiAdmin => "Bearer " + _target.ApiKey,
        Credential.Forged => "Bearer " + _target.ForgedKey,
        Credential.Raw => generated.RawAuthorization,
        _ => null,
    };

    private static async Task<byte[]> ReadAsync(HttpResponseMessage response, bool isStream)
    {
        using var budget = new CancellationTokenSource(isStream ? StreamReadTime : HeadersTimeout);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(budget.Token);
            int read;
            while (buffer.Length < MaxReadBytes && (read = await stream.ReadAsync(chunk, budget.Token)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            // An event stream read for its time, or a body cut off: what arrived is judged.
        }

        return buffer.ToArray();
    }

    public static string Text(byte[] body) => Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 400));

    public void Dispose() => _client.Dispose();
}
