using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>Sums one host's refusal counters (MCP and API), by outcome; other hosts in the process have meter factories of their own and are not counted.</summary>
internal sealed class RefusalCounter : IDisposable
{
    private static readonly string[] Counters = [Smcp.Proxy.Limits.RefusalMetrics.CounterName, Smcp.Orchestrator.Api.ApiMetrics.ApiCounterName];

    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _byOutcome = new(StringComparer.Ordinal);

    public RefusalCounter(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && Counters.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "smcp.outcome", Value: string outcome })
                {
                    lock (_byOutcome)
                    {
                        _byOutcome[outcome] = _byOutcome.GetValueOrDefault(outcome) + value;
                    }
                }
            }
        });
        _listener.Start();
    }

    public long Count(string outcome)
    {
        lock (_byOutcome)
        {
            return _byOutcome.GetValueOrDefault(outcome);
        }
    }

    public void Dispose() => _listener.Dispose();
}
