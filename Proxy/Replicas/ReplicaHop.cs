using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Smcp.Proxy.Replicas;

/// <summary>
/// The one hop from a replica that got a request to the replica that holds its session: what it carries of the
/// original request (client address, local address, scheme) and the HMAC-SHA256 over all of it with the shared secret.
/// </summary>
/// <remarks>
/// The signature binds the time, method, path and query, session id, Host and those addresses, so a captured hop can
/// only be replayed as itself, within <see cref="ReplicaOptions.SignatureWindow"/>, and only on the internal listener.
/// The owner still authenticates the client's own credential: a hop proves where the request came from, not who sent it.
/// </remarks>
internal sealed class ReplicaHop
{
    public const string HeaderPrefix = "Smcp-Replica-";
    public const string SignatureHeader = HeaderPrefix + "Signature";
    public const string ClientHeader = HeaderPrefix + "Client";
    public const string LocalHeader = HeaderPrefix + "Local";
    public const string SchemeHeader = HeaderPrefix + "Scheme";

    private static readonly object ForwardedKey = new();

    private readonly byte[] _key;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;

    public ReplicaHop(ReplicaOptions options, TimeProvider time)
    {
        _key = SHA256.HashData(Encoding.UTF8.GetBytes("smcp-replica-hop-v1\n" + (options.Secret ?? "")));
        _window = options.SignatureWindow;
        _time = time;
    }

    /// <summary>Whether the request came in as a verified hop from another replica (so it is never forwarded again).</summary>
    public static bool IsForwarded(HttpContext context) => context.Items.ContainsKey(ForwardedKey);

    public static bool CarriesHopHeaders(HttpRequest request) =>
        request.Headers.Keys.Any(name => name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>The headers to add to the forwarded request, signature last.</summary>
    public IEnumerable<(string Name, string Value)> Sign(HttpContext context)
    {
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "";
        var local = context.Connection.LocalIpAddress?.ToString() ?? "";
        var scheme = context.Request.Scheme;
        var at = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        yield return (ClientHeader, client);
        yield return (LocalHeader, local);
        yield return (SchemeHeader, scheme);
        yield return (SignatureHeader, $"t={at},v1={Mac(at, context.Request, client, local, scheme)}");
    }

    /// <summary>
    /// Checks a hop that arrived on the internal listener; when it is good, the request takes on the original addresses
    /// and scheme and is marked forwarded. False for anything else: missing, stale, malformed or wrongly signed.
    /// </summary>
    public bool TryAccept(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers[SignatureHeader].ToString() is not { Length: > 0 and <= 128 } signature
            || !signature.StartsWith("t=", StringComparison.Ordinal) || signature.IndexOf(",v1=", StringComparison.Ordinal) is not (> 2 and var comma)
            || !long.TryParse(signature.AsSpan(2, comma - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        var client = headers[ClientHeader].ToString();
        var local = headers[LocalHeader].ToString();
        var scheme = headers[SchemeHeader].ToString();
        if (age.Duration() > _window || scheme is not ("http" or "https")
            || !IPAddress.TryParse(client, out var clientAddress) || !IPAddress.TryParse(local, out var localAddress))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Mac(signature[2..comma], context.Request, client, local, scheme));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature[(comma + 4)..])))
        {
            return false;
        }

        context.Connection.RemoteIpAddress = clientAddress;
        context.Connection.LocalIpAddress = localAddress;
        context.Request.Scheme = scheme;
        foreach (var name in headers.Keys.Where(name => name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            headers.Remove(name);
        }

        context.Items[ForwardedKey] = true;
        return true;
    }

    private string Mac(string at, HttpRequest request, string client, string local, string scheme)
    {
        var text = string.Join('\n', at, request.Method, request.Path.Value, request.QueryString.Value, request.Headers["Mcp-Session-Id"].ToString(),
            request.Host.Value, client, local, scheme);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));
    }
}
