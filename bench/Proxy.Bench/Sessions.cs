using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Smcp.Sandbox;

namespace Smcp.Bench;

/// <summary>One MCP session of the benchmark: initialized, then one echo call at a time.</summary>
internal interface IBenchSession : IAsyncDisposable
{
    /// <summary>Calls the echo tool and returns when its result came back.</summary>
    Task CallAsync(long id, CancellationToken ct);
}

internal static class Rpc
{
    public const string Version = "2025-06-18";

    public static byte[] Initialize(long id) => Encoding.UTF8.GetBytes(
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"initialize","params":{"protocolVersion":"{{{Version}}}","capabilities":{},"clientInfo":{"name":"smcp-bench","version":"1"}""" + "}}");

    public static readonly byte[] Initialized = """{"jsonrpc":"2.0","method":"notifications/initialized"}"""u8.ToArray();

    public static byte[] Echo(long id) => Encoding.UTF8.GetBytes(
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello {{{id}}}"}""" + "}}");

    /// <summary>True when <paramref name="message"/> is the response (result or error) to request <paramref name="id"/>.</summary>
    public static bool IsResponseTo(ReadOnlySpan<byte> message, long id)
    {
        var reader = new Utf8JsonReader(message);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool idMatches = false, hasResult = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                idMatches = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value == id;
            }
            else if (reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("error"u8))
            {
                hasResult = true;
                reader.Read();
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return idMatches && hasResult;
    }

    public static void EnsureOk(ReadOnlySpan<byte> message, long id)
    {
        if (message.IndexOf("\"error\""u8) >= 0 && message.IndexOf("\"result\""u8) < 0)
        {
            throw new InvalidOperationException($"call {id} failed: {Encoding.UTF8.GetString(message)}");
        }
    }
}

/// <summary>The server as a plain host process, spoken to over its stdin/stdout.</summary>
internal sealed class ProcessSession : IBenchSession
{
    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly StreamReader _stdout;

    private ProcessSession(Process process)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
    }

    public static async Task<IBenchSession> StartAsync(string node, string script, CancellationToken ct)
    {
        var info = new ProcessStartInfo(node)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("stdio");
        var session = new ProcessSession(Process.Start(info) ?? throw new InvalidOperationException("node did not start"));
        await session.ExchangeAsync(Rpc.Initialize(0), 0, ct);
        await session.WriteAsync(Rpc.Initialized, ct);
        return session;
    }

    public Task CallAsync(long id, CancellationToken ct) => ExchangeAsync(Rpc.Echo(id), id, ct);

    private async Task WriteAsync(byte[] message, CancellationToken ct)
    {
        await _stdin.WriteAsync(message, ct);
        _stdin.WriteByte((byte)'\n');
        await _stdin.FlushAsync(ct);
    }

    private async Task ExchangeAsync(byte[] message, long id, CancellationToken ct)
    {
        await WriteAsync(message, ct);
        while (true)
        {
            var line = await _stdout.ReadLineAsync(ct) ?? throw new InvalidOperationException("the server process ended");
            var bytes = Encoding.UTF8.GetBytes(line);
            if (Rpc.IsResponseTo(bytes, id))
            {
                Rpc.EnsureOk(bytes, id);
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _stdin.Close();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or TimeoutException)
        {
            // Gone already.
        }

        _process.Dispose();
    }
}

/// <summary>The sandbox's raw Engine API attach stream: no HTTP, no proxy.</summary>
internal sealed class AttachSession(RunningSandbox sandbox) : IBenchSession
{
    public static async Task<IBenchSession> StartAsync(ISandboxEngine engine, SandboxSpec spec, CancellationToken ct)
    {
        var sandbox = await engine.StartAsync(spec, ct);
        var session = new AttachSession(sandbox);
        await session.ExchangeAsync(Rpc.Initialize(0), 0, ct);
        await sandbox.SendAsync(Rpc.Initialized, ct);
        return session;
    }

    public Task CallAsync(long id, CancellationToken ct) => ExchangeAsync(Rpc.Echo(id), id, ct);

    private async Task ExchangeAsync(byte[] message, long id, CancellationToken ct)
    {
        await sandbox.SendAsync(message, ct);
        while (true)
        {
            var reply = await sandbox.Messages.ReadAsync(ct);
            if (Rpc.IsResponseTo(reply.Span, id))
            {
                Rpc.EnsureOk(reply.Span, id);
                return;
            }
        }
    }

    public ValueTask DisposeAsync() => sandbox.DisposeAsync();
}

/// <summary>An MCP Streamable HTTP session: its own HttpClient and so its own keep-alive HTTP/1.1 connection.</summary>
internal sealed class HttpSession : IBenchSession
{
    private readonly HttpClient _client;
    private readonly Uri _endpoint;
    private readonly string? _token;
    private string? _sessionId;

    private HttpSession(Uri endpoint, string? token)
    {
        _endpoint = endpoint;
        _token = token;
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseProxy = false,
        })
        { Timeout = TimeSpan.FromMinutes(5) };
    }

    public static async Task<IBenchSession> StartAsync(Uri endpoint, string? token, CancellationToken ct)
    {
        var session = new HttpSession(endpoint, token);
        using (var response = await session.PostAsync(Rpc.Initialize(0), ct))
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"initialize: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
            }

            session._sessionId = response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.First() : null;
        }

        using (var initialized = await session.PostAsync(Rpc.Initialized, ct))
        {
            await initialized.Content.ReadAsByteArrayAsync(ct);
        }

        return session;
    }

    public async Task CallAsync(long id, CancellationToken ct)
    {
        using var response = await PostAsync(Rpc.Echo(id), ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode || body.AsSpan().IndexOf("\"result\""u8) < 0)
        {
            throw new InvalidOperationException($"call {id}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        }
    }

    private Task<HttpResponseMessage> PostAsync(byte[] body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Version = System.Net.HttpVersion.Version11 };
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        if (_sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", _sessionId);
            request.Headers.Add("MCP-Protocol-Version", Rpc.Version);
        }

        return _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sessionId is not null)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, _endpoint);
                request.Headers.Add("Mcp-Session-Id", _sessionId);
                request.Headers.Add("MCP-Protocol-Version", Rpc.Version);
                if (_token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                using var response = await _client.SendAsync(request, timeout.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                // The server is going away anyway.
            }
        }

        _client.Dispose();
    }
}
