using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Smcp.Fuzz.Tests.Support;

/// <summary>Live MCP sessions of the fuzz target for requests that carry a real <c>Mcp-Session-Id</c>.</summary>
/// <remarks>The fuzzer itself ends sessions (DELETE) and opens them (a well-formed initialize); an empty pool opens one, one at a time.</remarks>
internal sealed class SessionPool(FuzzTarget target)
{
    public const string Initialize =
        """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}""";

    /// <summary>Handed out when no session could be opened (the tenant's session starts are spent): still an id of the right shape.</summary>
    private const string Spent = "spent-session";

    private const int Capacity = 4;

    private readonly Lock _lock = new();
    private readonly List<string> _live = [];
    private readonly SemaphoreSlim _opening = new(1, 1);

    public async Task<string> PickAsync(int index, HttpClient client, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_live.Count > 0)
            {
                return _live[index % _live.Count];
            }
        }

        await _opening.WaitAsync(cancellationToken);
        try
        {
            lock (_lock)
            {
                if (_live.Count > 0)
                {
                    return _live[0];
                }
            }

            var opened = await OpenAsync(client, target.McpKey, cancellationToken);
            if (opened is not null)
            {
                Add(opened);
            }

            return opened ?? Spent;
        }
        finally
        {
            _opening.Release();
        }
    }

    public void Add(string id)
    {
        lock (_lock)
        {
            if (!_live.Contains(id))
            {
                if (_live.Count == Capacity)
                {
                    _live.RemoveAt(0);
                }

                _live.Add(id);
            }
        }
    }

    public void Forget(string id)
    {
        lock (_lock)
        {
            _live.Remove(id);
        }
    }

    /// <summary>A well-formed initialize and its initialized notification; the session id, or null when the host refused it.</summary>
    public static async Task<string?> OpenAsync(HttpClient client, string key, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(client, key, null, Initialize, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK || !response.Headers.TryGetValues("Mcp-Session-Id", out var ids))
        {
            return null;
        }

        var id = ids.Single();
        using var initialized = await PostAsync(client, key, id, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", cancellationToken);
        return id;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string key, string? session, string json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/t/{FuzzTarget.Tenant}/{FuzzTarget.Server}/mcp")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        }

        var response = await client.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return response;
    }
}
