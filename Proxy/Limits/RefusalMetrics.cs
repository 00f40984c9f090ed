using System.Diagnostics;
using System.Diagnostics.Metrics;
using Smcp.Sandbox.Telemetry;

namespace Smcp.Proxy.Limits;

/// <summary>
/// Requests refused before a session exists (no or a bad credential, the pre-authentication budget, the
/// tenant's rate before <c>initialize</c>): counted here instead of an audit row each, so refusing costs no
/// database work. Tags name the outcome and, only once a credential proved it, the tenant; never key material.
/// </summary>
public class RefusalMetrics
{
    public const string MeterName = "Smcp.Proxy";
    public const string CounterName = "smcp.proxy.requests.refused";

    public const string Unauthorized = "unauthorized";
    public const string PreAuthLimited = "preauth-limited";
    public const string RateLimited = "rate-limited";

    private readonly Counter<long> _refused;

    public RefusalMetrics(IMeterFactory meters)
        : this(meters, MeterName, CounterName, "MCP requests refused before a session exists, by outcome")
    {
    }

    /// <summary>The same counter, tags and outcomes under another meter (the tenant API's).</summary>
    protected RefusalMetrics(IMeterFactory meters, string meterName, string counterName, string description) =>
        _refused = meters.Create(meterName).CreateCounter<long>(counterName, "{request}", description);

    /// <summary>Counts one refusal; <paramref name="tenant"/> only when a credential proved it (a path's tenant is the caller's choice).</summary>
    public void Refused(string outcome, string? tenant = null) => _refused.Add(1, Tags(outcome, tenant));

    /// <summary>The tags of a refusal, shared with the API's counter.</summary>
    public static TagList Tags(string outcome, string? tenant)
    {
        var tags = new TagList { { TelemetryTags.Outcome, outcome } };
        if (tenant is not null)
        {
            tags.Add(TelemetryTags.Tenant, tenant);
        }

        return tags;
    }
}
