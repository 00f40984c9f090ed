namespace Smcp.Orchestrator.Data;

/// <summary>What a store write did, for the outcomes a caller is expected to handle.</summary>
internal enum StoreOutcome
{
    Ok,

    /// <summary>A row with the same key (or active name) already exists.</summary>
    Conflict,

    NotFound,

    /// <summary>The row is still referenced (an image a server runs).</summary>
    InUse,

    /// <summary>The row refers to something that does not exist (a server's image, an unknown tenant).</summary>
    MissingReference,

    /// <summary>A new row would take the tenant over its quota.</summary>
    QuotaExceeded,
}

/// <summary>A store write's outcome and, when it is <see cref="StoreOutcome.Ok"/>, the row.</summary>
internal sealed record StoreResult<T>(StoreOutcome Outcome, T? Value)
    where T : class
{
    public static StoreResult<T> Ok(T value) => new(StoreOutcome.Ok, value);

    public static StoreResult<T> Failed(StoreOutcome outcome) => new(outcome, null);
}
