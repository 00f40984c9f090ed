using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Smcp.Sandbox.Tests.Kubernetes.Support;

/// <summary>
/// Validates an object SMCP sends against the Kubernetes OpenAPI v3 definitions in Schema/ (see its README), with the
/// API server's strict field validation: a property the definition does not have is an error.
/// </summary>
internal static class KubernetesSchema
{
    private const string Refs = "#/components/schemas/";
    private static readonly Lazy<JsonObject> Definitions = new(Load);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonSchema> Built = new(StringComparer.Ordinal);

    public const string Pod = "io.k8s.api.core.v1.Pod";
    public const string NetworkPolicy = "io.k8s.api.networking.v1.NetworkPolicy";

    /// <summary>Every error, as instance location and message; empty when the object is valid.</summary>
    public static IReadOnlyList<string> Errors(string definition, JsonNode instance)
    {
        var schema = Built.GetOrAdd(definition, Build);
        using var document = JsonDocument.Parse(instance.ToJsonString());
        var results = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")).ToList();
    }

    private static JsonSchema Build(string definition)
    {
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://smcp.test/kubernetes/" + definition,
            ["$defs"] = Definitions.Value.DeepClone(),
            ["$ref"] = "#/$defs/" + definition,
        };
        return JsonSchema.FromText(root.ToJsonString());
    }

    private static JsonObject Load()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Kubernetes", "Schema", "kubernetes-openapi-v3-subset.json");
        var text = File.ReadAllText(path).Replace(Refs, "#/$defs/", StringComparison.Ordinal);
        var schemas = JsonNode.Parse(text)!["components"]!["schemas"]!.AsObject();
        foreach (var (_, definition) in schemas)
        {
            if (definition is JsonObject { } set && set.ContainsKey("properties"))
            {
                set["additionalProperties"] = false;
            }
        }

        return schemas;
    }
}
