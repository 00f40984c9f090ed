using System.Security.Cryptography;
using System.Text;
using Smcp.Orchestrator.Secrets;

namespace Smcp.Orchestrator.OAuth.Keys;

/// <summary>Seals a signing key's PKCS#8 private key with AES-256-GCM under a key derived from the master key.</summary>
/// <remarks>
/// The sealing key is HKDF-SHA256 of the master key for this one purpose, so it is never the key that wraps tenant data
/// keys; the key id is the associated data, so a sealed key copied to another row does not open.
/// </remarks>
internal sealed class SigningKeySeal(MasterKey masterKey)
{
    private static readonly byte[] Purpose = "smcp-oauth-signing-key"u8.ToArray();

    public byte[] Seal(string keyId, ReadOnlySpan<byte> pkcs8)
    {
        var key = DeriveKey();
        try
        {
            return SecretEnvelope.Seal(key, pkcs8, AssociatedData(keyId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The PKCS#8 bytes (the caller zeroes them), or null when the envelope was altered, belongs to another key id, or was sealed under another master key.</summary>
    public byte[]? Open(string keyId, ReadOnlySpan<byte> sealedKey)
    {
        var key = DeriveKey();
        try
        {
            return SecretEnvelope.Open(key, sealedKey, AssociatedData(keyId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private byte[] DeriveKey()
    {
        var key = new byte[MasterKey.Size];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey.Bytes, key, salt: [], info: Purpose);
        return key;
    }

    private static byte[] AssociatedData(string keyId) => Encoding.UTF8.GetBytes("smcp-sk:" + keyId);
}
