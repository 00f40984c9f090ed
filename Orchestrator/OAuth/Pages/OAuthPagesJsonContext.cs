using System.Text.Json.Serialization;

namespace Smcp.Orchestrator.OAuth.Pages;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AuthorizationRequest))]
[JsonSerializable(typeof(ConsentTicket))]
[JsonSerializable(typeof(Upstream.UpstreamPending))]
internal sealed partial class OAuthPagesJsonContext : JsonSerializerContext;
