using System.Text.Json;

namespace Smcp.Proxy.Policy;

/// <summary>A request the proxy answers itself instead of forwarding it, and what its audit row says.</summary>
/// <param name="Answer">The JSON-RPC error line the client gets.</param>
/// <param name="Outcome">The audit outcome (<c>withheld</c>, <c>refused</c>).</param>
/// <param name="Detail">The audit detail; null when the outcome says it all.</param>
internal sealed record ProxyRefusal(byte[] Answer, string Outcome, JsonElement? Detail);
