// Lists the tools of a server hosted by SMCP, with the official MCP C# SDK client.
// Usage (a .NET 10 file-based app): dotnet run examples/ListTools.cs -- <MCP URL> <API key>
// No version here: it is the repository's pin (Directory.Packages.props). Copied out alone, name one: #:package ModelContextProtocol@VERSION.
#:package ModelContextProtocol

using ModelContextProtocol.Client;

if (args is not [var url, var key])
{
    Console.Error.WriteLine("usage: dotnet run examples/ListTools.cs -- <MCP URL> <API key>");
    return 2;
}

var transport = new HttpClientTransport(new HttpClientTransportOptions
{
    Endpoint = new Uri(url),
    TransportMode = HttpTransportMode.StreamableHttp,
    AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
});
try
{
    await using var client = await McpClient.CreateAsync(transport);
    foreach (var tool in await client.ListToolsAsync())
    {
        Console.WriteLine($"{tool.Name}: {tool.Description}");
    }
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"{url}: {ex.Message}");
    return 1;
}

return 0;
