using Microsoft.Extensions.Options;

namespace Smcp.Orchestrator.Audit;

internal sealed class AuditWriterOptions
{
    public const string Section = "Audit";

    /// <summary>Records queued before writers wait (back-pressure; nothing is dropped).</summary>
    public int Capacity { get; set; } = 8192;

    /// <summary>
    /// Bytes of records queued or being written before writers wait (back-pressure; nothing is dropped): each
    /// record counts its text as UTF-16, its detail as UTF-8 and a fixed overhead (<see cref="AuditWriter.RecordOverheadBytes"/>).
    /// </summary>
    public int QueueBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most records written in one transaction per tenant.</summary>
    public int MaxBatch { get; set; } = 1000;

    /// <summary>How long a small batch waits for more records before it is written: fewer, larger transactions leave the CPU to the proxy (MCP requests never wait for their audit row).</summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
}

internal sealed class AuditWriterOptionsValidator : IValidateOptions<AuditWriterOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditWriterOptions options)
    {
        var errors = new List<string>();
        if (options.Capacity < 1)
        {
            errors.Add($"{AuditWriterOptions.Section}:Capacity must be at least 1 (it is {options.Capacity}).");
        }

        if (options.QueueBytes < 64 * 1024)
        {
            errors.Add($"{AuditWriterOptions.Section}:QueueBytes must be at least 65536 (it is {options.QueueBytes}).");
        }

        if (options.MaxBatch < 1)
        {
            errors.Add($"{AuditWriterOptions.Section}:MaxBatch must be at least 1 (it is {options.MaxBatch}).");
        }

        if (options.BatchDelay < TimeSpan.Zero || options.BatchDelay > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{AuditWriterOptions.Section}:BatchDelay must be between 0 and 1 s (it is {options.BatchDelay}).");
        }

        if (options.RetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
        {
            errors.Add($"{AuditWriterOptions.Section}:RetryDelay must be positive and MaxRetryDelay at least RetryDelay.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
