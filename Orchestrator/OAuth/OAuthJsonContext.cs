using System.Text.Json.Serialization;
using Smcp.Orchestrator.OAuth.Clients;
using Smcp.Orchestrator.OAuth.Metadata;
using Smcp.Orchestrator.OAuth.Tokens;

namespace Smcp.Orchestrator.OAuth;

/// <summary>The authorization server's JSON, in the protocol's snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OAuthErrorBody))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(AuthorizationServerMetadata))]
[JsonSerializable(typeof(ClientRegistrationRequest))]
[JsonSerializable(typeof(ClientRegistrationResponse))]
internal sealed partial class OAuthJsonContext : JsonSerializerContext;
