using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.Tests.OAuth.Support;

/// <summary>
/// An https server on 127.0.0.1 with a self-signed certificate of its own, serving one JSON document per path: where
/// client ID metadata documents live in the tests. <see cref="CertificateFile"/> is the PEM SMCP is told to trust.
/// </summary>
internal sealed class HttpsDocumentHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private HttpsDocumentHost(WebApplication app, string directory, Uri baseAddress)
    {
        _app = app;
        _directory = directory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string CertificateFile => Path.Combine(_directory, "root.pem");

    /// <summary>Starts the server; <paramref name="document"/> answers a path with the JSON to serve there (null: 404).</summary>
    public static async Task<HttpsDocumentHost> StartAsync(Func<Uri, string, string?> document)
    {
        var directory = Directory.CreateTempSubdirectory("smcp-https-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllTextAsync(Path.Combine(directory, "root.pem"), created.ExportCertificatePem());
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        Uri? baseAddress = null;
        app.MapGet("/{**path}", (HttpContext context, string path) =>
            document(baseAddress!, "/" + path) is { } json ? Results.Text(json, "application/json") : Results.NotFound());
        await app.StartAsync();
        baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new HttpsDocumentHost(app, directory, baseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
