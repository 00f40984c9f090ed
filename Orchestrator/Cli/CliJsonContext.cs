using System.Text.Json;
using System.Text.Json.Serialization;

namespace Smcp.Orchestrator.Cli;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(StoredLogin))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
