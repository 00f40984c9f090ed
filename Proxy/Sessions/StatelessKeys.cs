using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Smcp.Proxy.Sessions;

/// <summary>
/// The per-process secret behind the stateless (2026-07-28) path: the correlation key that names a credential's sandbox
/// for a server, and the seal on a server's <c>requestState</c> that binds it to the credential and server it was issued to.
/// </summary>
internal sealed class StatelessKeys
{
    private const string SealPrefix = "smcp1.";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <summary>Which sandbox serves this credential's stateless requests to this server: unguessable without the key, stable for the process.</summary>
    public string CorrelationKey(string principal, string tenant, string server) => Base64Url.EncodeToString(Mac("correlation", principal, tenant, server, ""));

    public string Seal(string principal, string tenant, string server, string state) =>
        SealPrefix + Base64Url.EncodeToString(Mac("request-state", principal, tenant, server, state)) + "." + state;

    /// <summary>The server's own state inside a sealed one; null when it was not sealed here for this credential and server, or was altered.</summary>
    public string? Unseal(string principal, string tenant, string server, string sealedState)
    {
        if (!sealedState.StartsWith(SealPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var dot = sealedState.IndexOf('.', SealPrefix.Length);
        if (dot < 0)
        {
            return null;
        }

        var state = sealedState[(dot + 1)..];
        var expected = Base64Url.EncodeToString(Mac("request-state", principal, tenant, server, state));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.UTF8.GetBytes(sealedState[SealPrefix.Length..dot])) ? state : null;
    }

    private byte[] Mac(string purpose, string principal, string tenant, string server, string state)
    {
        // Each part is length-prefixed, so no two different tuples hash the same text.
        var text = new StringBuilder();
        foreach (var part in new[] { purpose, principal, tenant, server, state })
        {
            text.Append(part.Length).Append(':').Append(part);
        }

        return HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text.ToString()));
    }
}
