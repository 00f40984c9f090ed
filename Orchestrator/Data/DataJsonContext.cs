using System.Text.Json.Serialization;

namespace Smcp.Orchestrator.Data;

[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class DataJsonContext : JsonSerializerContext;
