namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>Tells the exceptions that mean "this archive is broken" from bugs, and says what broke in words.</summary>
internal static class ArchiveErrors
{
    public static bool IsCorruption(Exception ex) =>
        ex is InvalidDataException or EndOfStreamException or FormatException or OverflowException;

    public static string Describe(Exception ex, string what) => ex switch
    {
        EndOfStreamException => $"the {what} ends in the middle (truncated upload?)",
        _ => $"the {what} is not a valid archive ({ex.Message.TrimEnd('.')})",
    };
}

/// <summary>The budget for bytes of layer archives after decompression, shared by all layers of one upload.</summary>
internal sealed class UnpackedBudget(long cap)
{
    public long Used { get; private set; }

    public CappedReadStream Wrap(Stream layer) =>
        new(layer, cap - Used, $"The image's layers unpack to more than the limit of {cap} bytes.");

    public void Consumed(long bytes) => Used += bytes;
}
