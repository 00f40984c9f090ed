namespace Smcp.Orchestrator.Cli;

/// <summary>What <c>smcp</c> exits with (README: Command line); the host-side commands keep the codes they had before.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Usage = 1;
    public const int NotFound = 2;
    public const int Refused = 3;
    public const int Invalid = 4;
    public const int Unavailable = 5;

    /// <summary>The code for an API answer that is not a success.</summary>
    public static int ForStatus(int status) => status switch
    {
        404 => NotFound,
        401 or 403 => Refused,
        >= 400 and < 500 and not 408 and not 429 => Invalid,
        _ => Unavailable,
    };
}
