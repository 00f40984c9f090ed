using CsCheck;

using Smcp.Fuzz.Tests.Support;

namespace Smcp.Fuzz.Tests.Generation;

/// <summary>Generates whole hostile requests: a method, one of the host's real routes with odd segments, odd headers and a body.</summary>
/// <remarks>
/// <see cref="FuzzTarget.Tenant"/> runs the server under test; <see cref="FuzzTarget.OtherTenant"/> is where the admin key may do
/// anything (it has nothing to lose), so the API is fuzzed after authentication without deleting the server under test.
/// </remarks>
internal static class HostileRequests
{
    private static readonly string[] OddSegments =
        ["%00", "..", "%2e%2e", "%FF%FE", "a%2Fb", new string('a', 300), "%25", "%20", "%E2%80%AE", "CON", "t", "-", "0", "%C0%AF"];

    private static readonly Gen<string> OddSegment = Gen.Frequency(
        (3, Gen.OneOf(OddSegments)),
        (1, Gen.Char.Array[1, 40].Select(c => Uri.EscapeDataString(new string(c)))));

    private static readonly Gen<string> Tenant = Gen.Frequency(
        (6, Gen.Const(FuzzTarget.Tenant)), (3, Gen.Const(FuzzTarget.OtherTenant)), (1, Gen.Const(FuzzTarget.SuspendedTenant)),
        (1, Gen.Const("nobody")), (1, OddSegment));

    private static readonly Gen<string> ApiTenant = Gen.Frequency(
        (6, Gen.Const(FuzzTarget.OtherTenant)), (2, Gen.Const(FuzzTarget.Tenant)), (1, Gen.Const(FuzzTarget.SuspendedTenant)), (1, OddSegment));

    private static readonly Gen<string> Server = Gen.Frequency((6, Gen.Const(FuzzTarget.Server)), (1, Gen.Const("missing")), (1, OddSegment));

    private static readonly Gen<string> Name = Gen.Frequency(
        (3, Gen.OneOf("notes", "x", "API_TOKEN", "PATH", "LD_PRELOAD", "a-b")), (1, OddSegment));

    private static readonly Gen<string> Number = Gen.OneOf("0", "-1", "1", "1000", "999999999999999999999", "abc", "1e9", "", "%00");

    private static readonly Gen<string> Query = Gen.Select(Gen.OneOf(
            "response_type", "client_id", "redirect_uri", "code_challenge", "code_challenge_method", "scope", "state", "resource", "prompt"),
            Gen.Frequency((4, Gen.OneOf("code", "S256", "plain", "mcp", "http://127.0.0.1/cb", "https://evil.example/", "")), (1, OddSegment)))
        .Array[0, 10]
        .Select(pairs => string.Join("&", pairs.Select(p => p.Item1 + "=" + p.Item2)));

    private static Gen<(string, string[])> Route(Gen<string> path, string methods) => path.Select(p => (p, methods.Split(' ')));

    /// <summary>A real route with the methods it takes.</summary>
    private static readonly Gen<(string Path, string[] Methods)> Routes = Gen.Frequency(
        (40, Route(Gen.Select(Tenant, Server).Select(t => $"/t/{t.Item1}/{t.Item2}/mcp"), "POST GET DELETE")),
        (2, Route(Gen.Select(Tenant, Server).Select(t => $"/t/{t.Item1}/{t.Item2}/sse"), "GET")),
        (3, Route(Gen.Select(Tenant, Server, OddSegment).Select(t => $"/t/{t.Item1}/{t.Item2}/messages?sessionId={t.Item3}"), "POST")),
        (2, Route(Gen.Select(ApiTenant, Name).Select(t => $"/v1/tenants/{t.Item1}/images?server={t.Item2}"), "POST GET")),
        (2, Route(ApiTenant.Select(t => $"/v1/tenants/{t}/servers"), "GET")),
        (3, Route(Gen.Select(ApiTenant, Name).Select(t => $"/v1/tenants/{t.Item1}/servers/{t.Item2}"), "PUT GET DELETE")),
        (1, Route(Gen.Select(ApiTenant, Name).Select(t => $"/v1/tenants/{t.Item1}/servers/{t.Item2}/secrets"), "GET")),
        (2, Route(Gen.Select(ApiTenant, Name, Name).Select(t => $"/v1/tenants/{t.Item1}/servers/{t.Item2}/secrets/{t.Item3}"), "PUT DELETE")),
        (2, Route(ApiTenant.Select(t => $"/v1/tenants/{t}/keys"), "POST GET")),
        (1, Route(Gen.Select(ApiTenant, Gen.Frequency((1, Gen.Guid.Select(g => g.ToString())), (1, OddSegment))).Select(t => $"/v1/tenants/{t.Item1}/keys/{t.Item2}"), "DELETE")),
        (2, Route(Gen.Select(ApiTenant, Number, Number).Select(t => $"/v1/tenants/{t.Item1}/audit?after={t.Item2}&limit={t.Item3}"), "GET")),
        (1, Route(ApiTenant.Select(t => $"/v1/tenants/{t}/audit/verify"), "GET")),
        (1, Route(ApiTenant.Select(t => $"/v1/tenants/{t}/sessions"), "GET")),
        (1, Route(Gen.Select(ApiTenant, OddSegment).Select(t => $"/v1/tenants/{t.Item1}/sessions/{t.Item2}"), "DELETE")),
        (1, Route(ApiTenant.Select(t => $"/v1/tenants/{t}/oauth/clients"), "POST GET")),
        (1, Route(Gen.Select(ApiTenant, OddSegment).Select(t => $"/v1/tenants/{t.Item1}/oauth/clients/{t.Item2}"), "DELETE")),
        (1, Route(Gen.Const("/v1/admin/tenants"), "GET")),
        (4, Route(Tenant.Select(t => $"/oauth/{t}/token"), "POST OPTIONS")),
        (3, Route(Tenant.Select(t => $"/oauth/{t}/register"), "POST OPTIONS")),
        (3, Route(Gen.Select(Tenant, Query).Select(t => $"/oauth/{t.Item1}/authorize?{t.Item2}"), "GET POST")),
        (1, Route(Tenant.Select(t => $"/oauth/{t}/consent"), "POST")),
        (1, Route(Tenant.Select(t => $"/oauth/{t}/revoke"), "POST OPTIONS")),
        (1, Route(Gen.Const("/oauth/jwks"), "GET OPTIONS")),
        (1, Route(Tenant.Select(t => $"/.well-known/oauth-authorization-server/oauth/{t}"), "GET")),
        (1, Route(Gen.Select(Tenant, Server).Select(t => $"/.well-known/oauth-protected-resource/t/{t.Item1}/{t.Item2}/mcp"), "GET")));

    private static readonly Gen<string> AnyMethod = Gen.OneOf("POST", "GET", "DELETE", "PUT", "PATCH", "OPTIONS");

    /// <summary>Mostly a method the route takes (the route's first, its main one, most), sometimes any: a 405 is quickly found and fuzzes little behind it.</summary>
    private static Gen<string> MethodFor(string[] methods) => Gen.Frequency(
        (5, Gen.Const(methods[0])), (4, Gen.OneOf(methods)), (1, AnyMethod));

    private static readonly Gen<string> Printable = Gen.Char[" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"]
        .Array[0, 120].Select(c => new string(c));

    private static readonly Gen<string?> ContentType = Gen.Frequency(
        (10, Gen.Const<string?>("application/json")), (2, Gen.Const((string?)null)), (1, Gen.Const<string?>("application/json; charset=utf-16")),
        (1, Gen.Const<string?>("text/plain")), (2, Gen.Const<string?>("application/x-www-form-urlencoded")), (1, Gen.Const<string?>("application/x-tar")),
        (1, Gen.Const<string?>("multipart/form-data; boundary=")), (1, Gen.Const<string?>("application/json; charset=\"")), (1, Printable.Select(s => (string?)s)));

    private static readonly Gen<string?> Accept = Gen.Frequency(
        (10, Gen.Const<string?>("application/json, text/event-stream")), (2, Gen.Const((string?)null)), (1, Gen.Const<string?>("application/json")),
        (2, Gen.Const<string?>("text/event-stream")), (1, Gen.Const<string?>("*/*")), (1, Gen.Const<string?>("application/json;q=abc, ,,text/event-stream;;")),
        (1, Gen.Const<string?>("text/html")), (1, Printable.Select(s => (string?)s)));

    private static readonly Gen<string?> Version = Gen.Frequency(
        (4, Gen.Const((string?)null)), (4, Gen.Const<string?>("2025-06-18")), (1, Gen.Const<string?>("2025-03-26")), (1, Gen.Const<string?>("2025-11-25")),
        (1, Gen.Const<string?>("2024-11-05")), (1, Gen.Const<string?>("2025-06-18, 2025-03-26")), (1, Printable.Select(s => (string?)s)));

    private static readonly Gen<(Credential, string)> Authorization = Gen.Frequency(
        (3, Gen.Const((Credential.None, ""))), (7, Gen.Const((Credential.McpUser, ""))), (3, Gen.Const((Credential.ApiAdmin, ""))),
        (1, Gen.Const((Credential.Forged, ""))),
        (1, Gen.Frequency(
            (3, Gen.OneOf("Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer smcp_acme_x", "Bearer eyJhbGciOiJub25lIn0.eyJ9.", "Bearer a.b.c", "Bearer  smcp_", "Negotiate x")),
            (1, Printable.Select(s => "Bearer " + s)),
            (1, Gen.Int[1000, 12_000].Select(n => "Bearer " + new string('k', n))))
            .Select(raw => (Credential.Raw, raw))));

    private static readonly Gen<(SessionChoice, string)> Session = Gen.Frequency(
        (3, Gen.Const((SessionChoice.None, ""))), (6, Gen.Const((SessionChoice.Live, ""))),
        (2, Gen.Frequency((3, Printable), (1, Gen.Guid.Select(g => g.ToString("N"))), (1, Gen.Const(new string('s', 6000)))).Select(raw => (SessionChoice.Raw, raw))));

    private static readonly Gen<KeyValuePair<string, string>[]> Extras = Gen.Frequency(
        (12, Gen.Const(Array.Empty<KeyValuePair<string, string>>())),
        (1, Gen.Select(
                Gen.OneOf("Origin", "Last-Event-ID", "Cookie", "Content-Encoding", "X-Forwarded-For", "Expect", "Range", "If-None-Match"),
                Gen.Frequency((2, Gen.OneOf("http://evil.example", "null", "gzip", "0_0", "1.2.3.4", "100-continue", "bytes=0-1", "a=b; c")), (1, Printable)))
            .Array[1, 3].Select(h => h.Select(p => KeyValuePair.Create(p.Item1, p.Item2)).ToArray())));

    private static readonly Gen<(int Chunks, TimeSpan Delay)> Slowness = Gen.Frequency(
        (500, Gen.Const((0, TimeSpan.Zero))),
        (1, Gen.Select(Gen.Int[2, 6], Gen.Int[200, 1500]).Select(t => (t.Item1, TimeSpan.FromMilliseconds(t.Item2)))));

    public static readonly Gen<HostileRequest> Any =
        from route in Routes
        from method in MethodFor(route.Methods)
        from authorization in Authorization
        from session in Session
        from contentType in ContentType
        from accept in Accept
        from version in Version
        from extras in Extras
        from body in HostileBodies.Any
        from slow in Slowness
        select new HostileRequest(
            method, route.Path, authorization.Item1, authorization.Item2, session.Item1, session.Item2,
            Headers(body.Kind == BodyKind.Form && contentType == "application/json" ? "application/x-www-form-urlencoded" : contentType, accept, version, extras),
            body.Kind, body.Body, body.PadTo, slow.Chunks, slow.Delay);

    private static KeyValuePair<string, string>[] Headers(string? contentType, string? accept, string? version, KeyValuePair<string, string>[] extras)
    {
        var headers = new List<KeyValuePair<string, string>>(extras);
        if (contentType is not null)
        {
            headers.Add(KeyValuePair.Create("Content-Type", contentType));
        }

        if (accept is not null)
        {
            headers.Add(KeyValuePair.Create("Accept", accept));
        }

        if (version is not null)
        {
            headers.Add(KeyValuePair.Create("MCP-Protocol-Version", version));
        }

        return [.. headers];
    }
}
