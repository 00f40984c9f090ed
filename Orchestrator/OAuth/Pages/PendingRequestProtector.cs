using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.DataProtection;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>Seals what the pages' hidden <c>request</c> field carries, so nothing in it is trusted unless this process sealed it, for this tenant, less than <see cref="Lifetime"/> ago.</summary>
/// <remarks>
/// Authenticated encryption by ASP.NET Core Data Protection. The purpose chain names the step and the
/// tenant: a sign-in blob is no consent blob, and neither opens on another tenant's endpoints.
/// </remarks>
internal sealed class PendingRequestProtector(IDataProtectionProvider provider, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>Longer field values are refused unread; a real blob is well under a kilobyte or two.</summary>
    public const int MaxBlobLength = 8 * 1024;

    private const string Purpose = "Smcp.OAuth.Pages";

    public string ProtectSignIn(string tenant, AuthorizationRequest request) =>
        Protect("sign-in", tenant, request, OAuthPagesJsonContext.Default.AuthorizationRequest);

    public AuthorizationRequest? UnprotectSignIn(string tenant, string? blob) =>
        Unprotect("sign-in", tenant, blob, OAuthPagesJsonContext.Default.AuthorizationRequest);

    public string ProtectConsent(string tenant, ConsentTicket ticket) =>
        Protect("consent", tenant, ticket, OAuthPagesJsonContext.Default.ConsentTicket);

    public ConsentTicket? UnprotectConsent(string tenant, string? blob) =>
        Unprotect("consent", tenant, blob, OAuthPagesJsonContext.Default.ConsentTicket);

    public string ProtectUpstream(string tenant, Upstream.UpstreamPending pending) =>
        Protect("upstream", tenant, pending, OAuthPagesJsonContext.Default.UpstreamPending);

    public Upstream.UpstreamPending? UnprotectUpstream(string tenant, string? blob) =>
        Unprotect("upstream", tenant, blob, OAuthPagesJsonContext.Default.UpstreamPending);

    private ITimeLimitedDataProtector Protector(string step, string tenant) =>
        provider.CreateProtector(Purpose, step, tenant).ToTimeLimitedDataProtector();

    private string Protect<T>(string step, string tenant, T value, JsonTypeInfo<T> type) =>
        Base64Url.EncodeToString(Protector(step, tenant).Protect(JsonSerializer.SerializeToUtf8Bytes(value, type), time.GetUtcNow() + Lifetime));

    private T? Unprotect<T>(string step, string tenant, string? blob, JsonTypeInfo<T> type)
        where T : class
    {
        if (blob is not { Length: > 0 and <= MaxBlobLength })
        {
            return null;
        }

        try
        {
            var plain = Protector(step, tenant).Unprotect(Base64Url.DecodeFromChars(blob), out var expiration);
            return expiration > time.GetUtcNow() ? JsonSerializer.Deserialize(plain, type) : null;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or JsonException)
        {
            return null;
        }
    }
}
