using System.Text.Json;

namespace Smcp.Orchestrator.Audit;

/// <summary>One audited event, as a caller hands it to the <see cref="AuditWriter"/>.</summary>
internal sealed record AuditRecord
{
    public required string TenantId { get; init; }
    public required DateTimeOffset At { get; init; }
    public string? Principal { get; init; }
    public string? SessionId { get; init; }

    /// <summary>What happened: <c>tools/call</c>, <c>image.upload</c>, ….</summary>
    public required string Action { get; init; }

    /// <summary>The tool, resource or prompt name the action was about.</summary>
    public string? Target { get; init; }

    /// <summary><c>ok</c>, <c>error</c>, <c>denied</c>, ….</summary>
    public required string Outcome { get; init; }

    public double LatencyMs { get; init; }
    public long BytesIn { get; init; }
    public long BytesOut { get; init; }
    public JsonElement? Detail { get; init; }

    /// <summary>Set by the writer when it cut a text field to <see cref="AuditText.MaxFieldBytes"/>.</summary>
    public bool Truncated { get; init; }
}

/// <summary>A stored audit row, with its place in the tenant's hash chain.</summary>
internal sealed record AuditRow
{
    public required string TenantId { get; init; }
    public required long Seq { get; init; }
    public required DateTimeOffset At { get; init; }
    public string? Principal { get; init; }
    public string? SessionId { get; init; }
    public required string Action { get; init; }
    public string? Target { get; init; }
    public required string Outcome { get; init; }
    public double LatencyMs { get; init; }
    public long BytesIn { get; init; }
    public long BytesOut { get; init; }

    /// <summary>The detail as Postgres prints the jsonb value: the exact text the hash covers.</summary>
    public string? DetailJson { get; init; }

    /// <summary>Whether a text field was cut to <see cref="AuditText.MaxFieldBytes"/>.</summary>
    public bool Truncated { get; init; }

    public required byte[] PrevHash { get; init; }
    public required byte[] Hash { get; init; }
}
