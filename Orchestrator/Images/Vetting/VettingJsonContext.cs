using System.Text.Json;
using System.Text.Json.Serialization;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>JSON for vetting reports as stored with the image and returned by the API.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VettingReport))]
[JsonSerializable(typeof(VettingPolicy))]
internal sealed partial class VettingJsonContext : JsonSerializerContext;
