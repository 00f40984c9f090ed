using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Smcp.Tests.Servers.Conformance.Tools;

/// <summary>
/// json_schema_2020_12_tool (scenario json-schema-2020-12, SEP-1613): a tool whose inputSchema
/// uses JSON Schema 2020-12 keywords ($schema, $defs, $ref, additionalProperties) verbatim, so a
/// hand-written McpServerTool rather than one derived from a method signature.
/// </summary>
internal sealed class JsonSchemaTool : McpServerTool
{
    private const string InputSchema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "$defs": {
            "address": {
              "type": "object",
              "properties": {
                "street": { "type": "string" },
                "city": { "type": "string" }
              }
            }
          },
          "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" }
          },
          "additionalProperties": false
        }
        """;

    public override Tool ProtocolTool { get; } = new()
    {
        Name = "json_schema_2020_12_tool",
        Description = "Tool with JSON Schema 2020-12 features",
        InputSchema = JsonElement.Parse(InputSchema),
    };

    public override IReadOnlyList<object> Metadata { get; } = [];

    public override ValueTask<CallToolResult> InvokeAsync(
        RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        var args = request.Params?.Arguments;
        var name = args is not null && args.TryGetValue("name", out var n) ? n.ToString() : "(none)";
        var city = args is not null && args.TryGetValue("address", out var a) && a.ValueKind == JsonValueKind.Object
            && a.TryGetProperty("city", out var c) ? c.ToString() : "(none)";
        return ValueTask.FromResult(InteractionTools.Text($"json_schema_2020_12_tool: name={name}, city={city}"));
    }
}
