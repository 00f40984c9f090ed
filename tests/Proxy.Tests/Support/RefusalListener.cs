using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Proxy.Limits;

namespace Smcp.Proxy.Tests.Support;

/// <summary>Listens to the test host's own refusal counter (by its meter factory), so other hosts in the process do not count.</summary>
internal sealed class RefusalListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string? Outcome, string? Tenant)> _seen = [];

    public RefusalListener()
    {
        var factory = TestHost.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == RefusalMetrics.CounterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? outcome = null, tenant = null;
            foreach (var tag in tags)
            {
                outcome = tag.Key == "smcp.outcome" ? tag.Value as string : outcome;
                tenant = tag.Key == "smcp.tenant" ? tag.Value as string : tenant;
            }

            lock (_seen)
            {
                for (var i = 0; i < value; i++)
                {
                    _seen.Add((outcome, tenant));
                }
            }
        });
        _listener.Start();
    }

    public int Count(string outcome, string? tenant)
    {
        lock (_seen)
        {
            return _seen.Count(s => s.Outcome == outcome && s.Tenant == tenant);
        }
    }

    public void Dispose() => _listener.Dispose();
}
