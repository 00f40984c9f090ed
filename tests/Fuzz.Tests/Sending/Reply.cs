namespace Smcp.Fuzz.Tests.Sending;

/// <summary>What came back for one request: the status, the first bytes of the body, or why nothing came.</summary>
/// <param name="Status">0 when no response arrived.</param>
/// <param name="Failure">Why no response arrived: the connection broke (<see cref="Broken"/>) or no headers came in time.</param>
internal sealed record Reply(int Status, string? ContentType, byte[] Body, string? SessionId, string? Failure, bool Broken)
{
    /// <summary>The body was longer than what was read of it, so only its start is here.</summary>
    public bool Truncated => Body.Length >= FuzzClient.MaxReadBytes;

    public static Reply NoAnswer(string failure, bool broken) => new(0, null, [], null, failure, broken);
}
