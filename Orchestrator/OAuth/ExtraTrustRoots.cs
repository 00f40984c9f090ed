using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Checks a metadata document server's certificate: the system's roots, plus the roots of a PEM file when one is configured.</summary>
/// <remarks>
/// The extra roots apply to these fetches only (an internal CA for documents on a closed network), never to the
/// process. A name mismatch or a missing certificate is refused whatever the file holds. The file is read again
/// when its path or its modification time changes, so a rotated CA needs no restart.
/// </remarks>
internal sealed class ExtraTrustRoots(Func<string?> path, ILogger logger)
{
    private readonly Lock gate = new();
    private (string Path, DateTime Written, X509Certificate2Collection Roots)? loaded;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || Roots() is not { Count: > 0 } roots)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    private X509Certificate2Collection? Roots()
    {
        if (path() is not { Length: > 0 } file)
        {
            return null;
        }

        lock (gate)
        {
            try
            {
                var written = File.GetLastWriteTimeUtc(file);
                if (loaded is not { } current || current.Path != file || current.Written != written)
                {
                    var roots = new X509Certificate2Collection();
                    roots.ImportFromPemFile(file);
                    loaded = (file, written, roots);
                }

                return loaded.Value.Roots;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                ClientMetadataLog.TrustedCertificatesUnreadable(logger, ex, file);
                loaded = null;
                return null;
            }
        }
    }
}
