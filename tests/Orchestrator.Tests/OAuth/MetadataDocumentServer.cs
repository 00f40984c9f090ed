using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.Tests.OAuth;

/// <summary>A real HTTPS server on 127.0.0.1 (Kestrel, a self-signed certificate made here) serving good and hostile client metadata documents.</summary>
/// <remarks>Every document names the URL it was asked for as its client_id, so one path works under 127.0.0.1 and localhost alike. It counts TCP connections and requests per path.</remarks>
internal sealed class MetadataDocumentServer : IAsyncDisposable
{
    public const int BigBody = 16 * 1024;

    /// <summary>The loopback redirect URI every good document lists first (nothing listens there: tests read the redirect, not follow it).</summary>
    public const string RedirectUri = "http://127.0.0.1:33418/callback";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly string _directory;
    private int _connections;

    private MetadataDocumentServer(WebApplication app, string directory)
    {
        _app = app;
        _directory = directory;
    }

    public int Port { get; private set; }

    /// <summary>The PEM of the server's certificate, the file to name in <c>trustedCertificatesFile</c>.</summary>
    public string CertificateFile => Path.Combine(_directory, "root.pem");

    public int Connections => Volatile.Read(ref _connections);

    public int Hits(string path) => _hits.GetValueOrDefault(path);

    public string Url(string path, string host = "127.0.0.1") => $"https://{host}:{Port}{path}";

    public static async Task<MetadataDocumentServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("smcp-cimd-").FullName;
        using var certificate = CreateCertificate();
        await File.WriteAllTextAsync(Path.Combine(directory, "root.pem"), certificate.ExportCertificatePem());
        var serving = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        MetadataDocumentServer? server = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref server!._connections);
                return next(connection);
            });
            listen.UseHttps(serving);
        }));
        var app = builder.Build();
        server = new MetadataDocumentServer(app, directory);
        app.Use((context, next) =>
        {
            server._hits.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
            return next(context);
        });
        server.Map(app);
        await app.StartAsync();
        server.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Self(HttpContext context) => $"https://{context.Request.Host}{context.Request.Path}";

    private static string Document(HttpContext context, Action<Dictionary<string, object>>? change = null)
    {
        var document = new Dictionary<string, object>
        {
            ["client_id"] = Self(context),
            ["client_name"] = "Test client",
            ["redirect_uris"] = new[] { RedirectUri, "https://app.example/callback" },
            ["grant_types"] = new[] { "authorization_code", "refresh_token" },
            ["token_endpoint_auth_method"] = "none",
        };
        change?.Invoke(document);
        return JsonSerializer.Serialize(document);
    }

    private static IResult Json(HttpContext context, string body, string? cacheControl = "max-age=3600")
    {
        if (cacheControl is not null)
        {
            context.Response.Headers.CacheControl = cacheControl;
        }

        return Results.Text(body, "application/json");
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/good/{name}", (HttpContext c) => Json(c, Document(c)));
        app.MapGet("/cache/{control}/{name}", (HttpContext c, string control) => Json(c, Document(c), control.Replace('_', '=')));
        app.MapGet("/bad/{name}", (HttpContext c) => Json(c, Document(c, d => d["redirect_uris"] = new[] { "http://app.example/callback" })));
        app.MapGet("/slow/{milliseconds:int}/{name}", async (HttpContext c, int milliseconds) =>
        {
            await Task.Delay(milliseconds, c.RequestAborted);
            return Json(c, Document(c));
        });
        app.MapGet("/redirect", () => Results.Redirect("/good/redirected"));
        app.MapGet("/length", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            c.Response.ContentLength = BigBody;
            await c.Response.Body.WriteAsync(new byte[BigBody], c.RequestAborted);
        });
        app.MapGet("/chunked", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            var padding = Document(c, d => d["padding"] = new string('x', BigBody));
            foreach (var chunk in padding.Chunk(1024))
            {
                await c.Response.WriteAsync(new string(chunk), c.RequestAborted);
                await c.Response.Body.FlushAsync(c.RequestAborted);
            }
        });
        app.MapGet("/mismatch", (HttpContext c) => Json(c, Document(c, d => d["client_id"] = "https://another.example/client.json")));
        app.MapGet("/redirect-uri/{kind}", (HttpContext c, string kind) => Json(c, Document(c, d => d["redirect_uris"] = kind switch
        {
            "plain-http" => new[] { "http://app.example/callback" },
            "fragment" => new[] { "https://app.example/callback#frag" },
            "userinfo" => new[] { "https://user:pw@app.example/callback" },
            "relative" => new[] { "/callback" },
            "empty" => Array.Empty<string>(),
            _ => (object)"https://app.example/callback",
        })));
        app.MapGet("/no-redirect-uris", (HttpContext c) => Json(c, Document(c, d => d.Remove("redirect_uris"))));
        app.MapGet("/private-key-jwt", (HttpContext c) => Json(c, Document(c, d => d["token_endpoint_auth_method"] = "private_key_jwt")));
        app.MapGet("/client-secret", (HttpContext c) => Json(c, Document(c, d => d["client_secret"] = "s3cret")));
        app.MapGet("/not-json", () => Results.Text("<html><body>Hello</body></html>", "text/html"));
        app.MapGet("/deep", (HttpContext c) => Json(c, Document(c).TrimEnd('}') + ",\"x\":" + new string('[', 100) + new string(']', 100) + "}"));
        app.MapGet("/duplicate", (HttpContext c) => Json(c, Document(c).TrimEnd('}') + ",\"client_id\":\"https://another.example/client.json\"}"));
        app.MapGet("/missing", () => Results.NotFound());
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=smcp-cimd-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
    }
}
