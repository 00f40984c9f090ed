using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Smcp.Orchestrator.Api;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(ImageResponse))]
[JsonSerializable(typeof(IEnumerable<ImageResponse>))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(ServerResponse))]
[JsonSerializable(typeof(IEnumerable<ServerResponse>))]
[JsonSerializable(typeof(SecretRequest))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKeyResponse))]
[JsonSerializable(typeof(IEnumerable<KeyResponse>))]
[JsonSerializable(typeof(CreateServiceClientRequest))]
[JsonSerializable(typeof(CreatedServiceClientResponse))]
[JsonSerializable(typeof(IEnumerable<ServiceClientResponse>))]
[JsonSerializable(typeof(ServerLogsResponse))]
[JsonSerializable(typeof(PinsResponse))]
[JsonSerializable(typeof(PinSetResponse))]
[JsonSerializable(typeof(ApprovePinsRequest))]
[JsonSerializable(typeof(AuditPage))]
[JsonSerializable(typeof(AuditVerifyResponse))]
[JsonSerializable(typeof(IEnumerable<SessionResponse>))]
[JsonSerializable(typeof(List<TenantUsage>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
