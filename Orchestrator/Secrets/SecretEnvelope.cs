using System.Security.Cryptography;

namespace Smcp.Orchestrator.Secrets;

/// <summary>AES-256-GCM sealing in SMCP's layout: version byte, 12-byte nonce, 16-byte tag, ciphertext.</summary>
internal static class SecretEnvelope
{
    public const byte Version = 1;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = 1 + NonceSize + TagSize;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var envelope = new byte[Overhead + plaintext.Length];
        envelope[0] = Version;
        var nonce = envelope.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, envelope.AsSpan(Overhead), envelope.AsSpan(1 + NonceSize, TagSize), associatedData);
        return envelope;
    }

    /// <summary>The plaintext, or null when the envelope is malformed, altered, or sealed under another key or associated data.</summary>
    /// <remarks>The caller owns the returned buffer and zeroes it when done.</remarks>
    public static byte[]? Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> associatedData)
    {
        if (envelope.Length < Overhead || envelope[0] != Version)
        {
            return null;
        }

        var plaintext = new byte[envelope.Length - Overhead];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(envelope.Slice(1, NonceSize), envelope[Overhead..], envelope.Slice(1 + NonceSize, TagSize), plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return null;
        }
    }
}
