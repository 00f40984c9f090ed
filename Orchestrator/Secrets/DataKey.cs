using System.Security.Cryptography;

namespace Smcp.Orchestrator.Secrets;

/// <summary>One tenant's unwrapped data key, held only while secrets are encrypted or decrypted; dispose zeroes it.</summary>
internal sealed class DataKey : IDisposable
{
    public const int Size = 32;

    private readonly byte[] key;
    private bool disposed;

    internal DataKey(string tenant, byte[] key)
    {
        Tenant = tenant;
        this.key = key;
    }

    public string Tenant { get; }

    internal ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return key;
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(key);
        disposed = true;
    }

    public override string ToString() => $"DataKey({Tenant}, [redacted])";
}
