using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Proxy.Ports;

namespace Smcp.Bench;

/// <summary>The AuditWriter alone: rows/s from first enqueue to the last commit (StopAsync drains the queue).</summary>
internal static class AuditBench
{
    public static readonly string[] Tenants = [.. Enumerable.Range(0, 10).Select(i => $"audit{i}")];

    public static async Task<double> RowsPerSecondAsync(string appConnectionString, int rows, int tenants, CancellationToken ct)
    {
        var services = new ServiceCollection().AddLogging();
        OrchestratorInternals.AddSmcpData(services, appConnectionString);
        await using var provider = services.BuildServiceProvider();
        var writer = OrchestratorInternals.AuditWriter(provider);
        var recorder = OrchestratorInternals.ProxyRecorder(provider);
        await writer.StartAsync(ct);
        var clock = Stopwatch.StartNew();
        // One producer per tenant, as one proxy session per tenant would be.
        await Task.WhenAll(Enumerable.Range(0, tenants).Select(t => Task.Run(async () =>
        {
            var tenant = Tenants[t];
            for (var i = t; i < rows; i += tenants)
            {
                await recorder.AuditAsync(
                    new McpAuditEvent(tenant, "key:bench", "session-" + t, "tools/call", "echo", "ok", 0.5, 120, 180), ct);
            }
        }, ct)));
        await writer.StopAsync(ct);
        var elapsed = clock.Elapsed;
        var written = OrchestratorInternals.Written(writer);
        if (written != rows)
        {
            throw new InvalidOperationException($"the writer committed {written} of {rows} rows");
        }

        return rows / elapsed.TotalSeconds;
    }
}
