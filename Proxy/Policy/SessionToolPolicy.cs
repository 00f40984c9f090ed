using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Smcp.Proxy.Guard;
using Smcp.Proxy.Json;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Policy;

/// <summary>
/// One session's share of its server's <see cref="ToolPolicy"/>, for the session's role: refuses the calls the policy does
/// not let through before they reach the sandbox, and removes those tools from the session's <c>tools/list</c> answers.
/// A read-only role is held to the listing: a tool is called only if this session's latest listing of it said
/// <c>readOnlyHint: true</c>; a tool it has not seen listed is refused, and so is every method that is not a read.
/// </summary>
internal sealed class SessionToolPolicy(ToolPolicy policy, SmcpRole role)
{
    /// <summary>Listed tools a session remembers the hint of; a tool past it counts as not listed (refused for read-only roles).</summary>
    public const int MaxListedTools = 4096;

    public const string RefusedOutcome = "refused";

    /// <summary>What a read-only role may send besides <c>tools/call</c> of a read-only tool: reads, never changes.</summary>
    private static readonly FrozenSet<string> ReadMethods = FrozenSet.Create(StringComparer.Ordinal,
        "initialize", "ping", "tools/list", "prompts/list", "prompts/get", "resources/list", "resources/templates/list", "resources/read", "completion/complete");

    private readonly Lock _gate = new();
    private readonly Dictionary<string, bool> _readOnlyHints = new(StringComparer.Ordinal);
    private readonly bool _limits = policy.Limits(role);
    private readonly bool _readOnly = policy.IsReadOnly(role);
    private readonly string _roleName = ToolPolicy.NameOf(role);

    /// <summary>The refusal of a request the policy does not let through; null when it may be forwarded.</summary>
    public ProxyRefusal? RefusalFor(JsonRpcMessage request)
    {
        if (!_limits || request.Kind != MessageKind.Request || request.Method is not { } method)
        {
            return null;
        }

        if (method != "tools/call")
        {
            return _readOnly && !ReadMethods.Contains(method)
                ? Refuse(request, "read-only-method", null,
                    $"The method '{Excerpt.Around(method, 0)}' is refused by the proxy: the role {_roleName} may only read on this server (list, get, read, and call tools that declare readOnlyHint).")
                : null;
        }

        if (request.Target is not { } tool)
        {
            return Refuse(request, "no-tool-name", null, $"A tools/call without a tool name is refused by the proxy: this server's tool policy limits the role {_roleName}.");
        }

        if (policy.ListRefusal(role, tool) is { } listed)
        {
            return Refuse(request, listed.Rule, tool, $"The tool '{Excerpt.Around(tool, 0)}' is refused by the proxy: {listed.Why}.");
        }

        if (!_readOnly)
        {
            return null;
        }

        bool known, hint;
        lock (_gate)
        {
            known = _readOnlyHints.TryGetValue(tool, out hint);
        }

        return known switch
        {
            false => Refuse(request, "not-listed", tool,
                $"The tool '{Excerpt.Around(tool, 0)}' is refused by the proxy: the role {_roleName} may call only tools this session's tools/list showed with readOnlyHint: true, and this session has not listed it; call tools/list first."),
            true when !hint => Refuse(request, "read-only-hint", tool,
                $"The tool '{Excerpt.Around(tool, 0)}' is refused by the proxy: the role {_roleName} may call only tools that declare readOnlyHint: true, and this one does not."),
            _ => null,
        };
    }

    /// <summary>A successful <c>tools/list</c> answer as the session's client gets it: without the tools the role may not call.</summary>
    /// <remarks>An answer the policy cannot read is replaced by an error: a listing is never passed unfiltered.</remarks>
    public ReadOnlyMemory<byte> Listed(ReadOnlyMemory<byte> line, RequestId id)
    {
        if (!_limits)
        {
            return line;
        }

        try
        {
            return Filter(line);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            // Duplicate keys or a lone surrogate: valid enough for the server's JSON, not for a faithful filter.
            return JsonRpcErrors.For(id, ErrorCodes.InternalError, "The server's tools/list answer was withheld: the proxy's tool policy could not read it.");
        }
    }

    private ReadOnlyMemory<byte> Filter(ReadOnlyMemory<byte> line)
    {
        if (JsonNode.Parse(line.Span) is not JsonObject root || root["result"] is not JsonObject result || result["tools"] is not JsonArray tools)
        {
            return line;
        }

        var removed = 0;
        for (var i = tools.Count - 1; i >= 0; i--)
        {
            var name = tools[i] is JsonObject { } entry && entry["name"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            var hint = tools[i] is JsonObject withHint && withHint["annotations"] is JsonObject annotations
                && annotations["readOnlyHint"] is JsonValue flag && flag.TryGetValue<bool>(out var readOnly) && readOnly;
            if (name is not null && _readOnly)
            {
                Remember(name, hint);
            }

            if (name is null || policy.ListRefusal(role, name) is not null || (_readOnly && !hint))
            {
                tools.RemoveAt(i);
                removed++;
            }
        }

        if (removed == 0)
        {
            return line;
        }

        var buffer = new ArrayBufferWriter<byte>(line.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            root.WriteTo(writer);
        }

        return buffer.WrittenMemory;
    }

    private void Remember(string name, bool readOnlyHint)
    {
        lock (_gate)
        {
            if (_readOnlyHints.ContainsKey(name) || _readOnlyHints.Count < MaxListedTools)
            {
                _readOnlyHints[name] = readOnlyHint;
            }
        }
    }

    private ProxyRefusal Refuse(JsonRpcMessage request, string rule, string? tool, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("toolPolicy", rule);
            writer.WriteString("role", _roleName);
            if (tool is not null)
            {
                writer.WriteString("tool", Excerpt.Around(tool, 0));
            }

            writer.WriteEndObject();
        }

        using var detail = JsonDocument.Parse(buffer.WrittenMemory);
        return new ProxyRefusal(JsonRpcErrors.For(request.Id, ErrorCodes.InvalidParams, message), RefusedOutcome, detail.RootElement.Clone());
    }
}
