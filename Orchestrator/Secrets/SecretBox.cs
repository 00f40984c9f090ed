using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Smcp.Orchestrator.Secrets;

/// <summary>Envelope encryption of tenant secrets: per-tenant data keys wrapped by the master key, secrets sealed by the data key.</summary>
/// <remarks>
/// Associated data binds a wrapped key to its tenant and a secret to its tenant, server and name, so a ciphertext
/// copied to another row does not decrypt.
/// </remarks>
internal sealed class SecretBox(MasterKey masterKey)
{
    private static readonly byte[] SecretContext = "smcp-secret:"u8.ToArray();

    /// <summary>Makes a random data key for <paramref name="tenant"/> and returns it wrapped, for storing with the tenant.</summary>
    public byte[] WrapNewDataKey(string tenant)
    {
        var key = RandomNumberGenerator.GetBytes(DataKey.Size);
        try
        {
            return SecretEnvelope.Seal(masterKey.Bytes, key, DataKeyContext(tenant));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Unwraps a stored data key; dispose the result as soon as the work with it is done.</summary>
    /// <exception cref="SecretDecryptionException">The wrapped key was altered, belongs to another tenant, or was wrapped under another master key.</exception>
    public DataKey UnwrapDataKey(string tenant, ReadOnlySpan<byte> wrapped)
    {
        var key = SecretEnvelope.Open(masterKey.Bytes, wrapped, DataKeyContext(tenant));
        if (key is not { Length: DataKey.Size })
        {
            if (key is not null)
            {
                CryptographicOperations.ZeroMemory(key);
            }

            throw new SecretDecryptionException(
                $"The data key of tenant '{tenant}' could not be unwrapped: it was altered, belongs to another tenant, or was wrapped under a different master key.");
        }

        return new DataKey(tenant, key);
    }

    /// <summary>Encrypts one secret value of a server of the data key's tenant.</summary>
    public byte[] Encrypt(DataKey dataKey, string server, string name, string value)
    {
        var plaintext = Encoding.UTF8.GetBytes(value);
        try
        {
            return SecretEnvelope.Seal(dataKey.Bytes, plaintext, SecretAssociatedData(dataKey.Tenant, server, name));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Decrypts a secret that <see cref="Encrypt"/> sealed for the same tenant, server and name.</summary>
    /// <exception cref="SecretDecryptionException">The ciphertext was altered or belongs to another tenant, server or name.</exception>
    public string Decrypt(DataKey dataKey, string server, string name, ReadOnlySpan<byte> ciphertext)
    {
        var plaintext = SecretEnvelope.Open(dataKey.Bytes, ciphertext, SecretAssociatedData(dataKey.Tenant, server, name))
            ?? throw new SecretDecryptionException(
                $"The secret '{name}' of server '{dataKey.Tenant}/{server}' could not be decrypted: it was altered or belongs to another tenant, server or name.");
        try
        {
            return Encoding.UTF8.GetString(plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] DataKeyContext(string tenant) => Encoding.UTF8.GetBytes("smcp-dk:" + tenant);

    // Each part is length-prefixed so ("a:b", "c") and ("a", "b:c") never give the same associated data.
    private static byte[] SecretAssociatedData(string tenant, string server, string name)
    {
        var parts = new[] { tenant, server, name }.Select(Encoding.UTF8.GetBytes).ToArray();
        var data = new byte[SecretContext.Length + parts.Sum(p => sizeof(int) + p.Length)];
        SecretContext.CopyTo(data, 0);
        var offset = SecretContext.Length;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(offset), part.Length);
            part.CopyTo(data, offset + sizeof(int));
            offset += sizeof(int) + part.Length;
        }

        return data;
    }
}

/// <summary>A wrapped key or secret did not decrypt; the message names what, never a key or a value.</summary>
internal sealed class SecretDecryptionException(string message) : Exception(message);
