using System.Diagnostics.Metrics;
using Smcp.Proxy.Limits;

namespace Smcp.Orchestrator.Api;

/// <summary>Tenant API requests refused before the caller is known, or over the tenant's rate: a counter, not an audit row each.</summary>
/// <remarks>The proxy's refusal counter (same outcomes and tags) under the orchestrator's meter.</remarks>
internal sealed class ApiMetrics(IMeterFactory meters)
    : RefusalMetrics(meters, ApiMeterName, ApiCounterName, "Tenant API requests refused before they were served, by outcome")
{
    public const string ApiMeterName = "Smcp.Orchestrator";
    public const string ApiCounterName = "smcp.api.requests.refused";
}
