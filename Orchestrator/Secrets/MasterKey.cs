using System.Security.Cryptography;

namespace Smcp.Orchestrator.Secrets;

/// <summary>The installation's 32-byte master key, which wraps every tenant's data key.</summary>
/// <remarks>Read from <c>SMCP_MASTER_KEY</c> once at start-up; the bytes are zeroed on dispose and never printed.</remarks>
internal sealed class MasterKey : IDisposable
{
    public const string EnvironmentVariable = "SMCP_MASTER_KEY";
    public const int Size = 32;

    private const string HowToMakeOne =
        $"Set {EnvironmentVariable} to 32 random bytes in base64, made with `head -c 32 /dev/urandom | base64`, "
        + "and keep a copy somewhere safe: without it no stored secret can be read.";

    private readonly byte[] key;
    private bool disposed;

    private MasterKey(byte[] key) => this.key = key;

    internal ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return key;
        }
    }

    /// <summary>Reads the key from <c>SMCP_MASTER_KEY</c>.</summary>
    /// <exception cref="MasterKeyException">The variable is missing or does not hold 32 bytes in base64.</exception>
    public static MasterKey FromEnvironment() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Decodes a base64 master key.</summary>
    /// <exception cref="MasterKeyException">The value is missing or does not hold 32 bytes in base64; the message never repeats it.</exception>
    public static MasterKey Parse(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            throw new MasterKeyException($"{EnvironmentVariable} is not set. {HowToMakeOne}");
        }

        var trimmed = base64.Trim();
        var buffer = new byte[(trimmed.Length * 3 / 4) + 3];
        try
        {
            if (!Convert.TryFromBase64String(trimmed, buffer, out var written))
            {
                throw new MasterKeyException($"{EnvironmentVariable} is not valid base64. {HowToMakeOne}");
            }

            if (written != Size)
            {
                throw new MasterKeyException($"{EnvironmentVariable} decodes to {written} bytes; it must be exactly {Size}. {HowToMakeOne}");
            }

            return new MasterKey(buffer[..Size]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(key);
        disposed = true;
    }

    public override string ToString() => "MasterKey([redacted])";
}

/// <summary>The master key is missing or malformed; the message says how to make one and never contains key material.</summary>
internal sealed class MasterKeyException(string message) : Exception(message);
