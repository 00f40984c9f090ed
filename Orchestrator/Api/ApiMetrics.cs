using System.Diagnostics.Metrics;
using Smcp.Proxy.Limits;

namespace Smcp.Orchestrator.Api;

/// <summary>Tenant API requests refused before the caller is known, or over the tenant's rate: a counter, not an audit row each.</summary>
internal sealed class ApiMetrics
{
    public const string MeterName = "Smcp.Orchestrator";
    public const string CounterName = "smcp.api.requests.refused";

    private readonly Counter<long> _refused;

    public ApiMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _refused = meter.CreateCounter<long>(CounterName, "{request}", "Tenant API requests refused before they were served, by outcome");
    }

    /// <summary>Counts one refusal (outcomes as in <see cref="RefusalMetrics"/>); <paramref name="tenant"/> only when a credential proved it.</summary>
    public void Refused(string outcome, string? tenant = null) => _refused.Add(1, RefusalMetrics.Tags(outcome, tenant));
}
