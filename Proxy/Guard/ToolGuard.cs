using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Json;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Guard;

/// <summary>
/// The proxy's seam for tool-definition scanning: sees each answer to a list request (tools, prompts, resources,
/// resource templates) and returns it unchanged, without its blocked entries, or withheld; verdicts are cached by the
/// SHA-256 of the result's bytes, so an unchanged listing costs one pass to find the result and a hash.
/// </summary>
internal sealed class ToolGuard(IOptions<ProxyOptions> options)
{
    private readonly VerdictCache _cache = new(options.Value.ToolScanCacheBytes);
    private long _scans;

    /// <summary>Listings scanned (cache misses) since start.</summary>
    public long Scans => Interlocked.Read(ref _scans);

    public VerdictCache Cache => _cache;

    /// <summary>The answer the client gets for a successful list <paramref name="line"/> under <paramref name="policy"/>.</summary>
    public GuardedAnswer Inspect(ListingKind kind, ReadOnlyMemory<byte> line, RequestId id, ToolScanPolicy policy)
    {
        if (policy == ToolScanPolicy.Off)
        {
            return new GuardedAnswer(line, null, null, null);
        }

        var verdict = VerdictFor(kind, line);
        if (verdict.IsClean)
        {
            return new GuardedAnswer(line, null, null, verdict);
        }

        if (policy == ToolScanPolicy.Warn || (verdict.Blocked.Count == 0 && verdict.Unreadable is null))
        {
            return new GuardedAnswer(line, ScanOutcomes.Flagged, ScanAudit.Detail(verdict, policy, removed: false), verdict);
        }

        if (verdict.Unreadable is { } unreadable)
        {
            var message = $"The server's {kind.ListMethod} answer was withheld by the tool-definition scan: {unreadable.Rule} at '{ScanAudit.Cut(unreadable.Pointer)}' ({unreadable.Excerpt}).";
            return new GuardedAnswer(JsonRpcErrors.For(id, ErrorCodes.InternalError, message), ScanOutcomes.Withheld, ScanAudit.Detail(verdict, policy, removed: false), verdict);
        }

        return new GuardedAnswer(Compose(id, verdict.Filtered), ScanOutcomes.Filtered, ScanAudit.Detail(verdict, policy, removed: true), verdict);
    }

    /// <summary>The verdict on the line's result: from the cache, else scanned and kept.</summary>
    public ListingVerdict VerdictFor(ListingKind kind, ReadOnlyMemory<byte> line)
    {
        if (!ResultLocator.TryFind(line, out var result))
        {
            var finding = new ScanFinding(ListingScanner.ShapeRule, FindingSeverity.High, "", "the answer has no single result member");
            return new ListingVerdict { Findings = [finding], FindingCount = 1, Blocked = [], Unreadable = finding };
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(result.Span, hash);
        var key = kind.ListMethod + " " + Convert.ToBase64String(hash);
        if (_cache.Find(key) is { } cached)
        {
            return cached;
        }

        Interlocked.Increment(ref _scans);
        using var document = JsonDocument.Parse(result);
        ListingVerdict verdict;
        try
        {
            verdict = ListingScanner.Scan(kind, document.RootElement);
        }
        catch (InvalidOperationException)
        {
            // A string escaping a lone surrogate (\ud800) is valid JSON but no text: nothing a client could show faithfully.
            var finding = new ScanFinding(ListingScanner.ShapeRule, FindingSeverity.High, "", "a string is not valid UTF-16");
            verdict = new ListingVerdict { Findings = [finding], FindingCount = 1, Blocked = [], Unreadable = finding };
        }

        _cache.Add(key, verdict);
        return verdict;
    }

    /// <summary>A JSON-RPC answer line with <paramref name="id"/> and <paramref name="result"/> (already JSON).</summary>
    public static byte[] Compose(RequestId id, ReadOnlyMemory<byte> result)
    {
        ReadOnlySpan<byte> head = "{\"jsonrpc\":\"2.0\",\"id\":"u8;
        ReadOnlySpan<byte> middle = ",\"result\":"u8;
        var idBytes = System.Text.Encoding.UTF8.GetBytes(id.Json);
        var line = new byte[head.Length + idBytes.Length + middle.Length + result.Length + 1];
        var span = line.AsSpan();
        head.CopyTo(span);
        idBytes.CopyTo(span[head.Length..]);
        middle.CopyTo(span[(head.Length + idBytes.Length)..]);
        result.Span.CopyTo(span[(head.Length + idBytes.Length + middle.Length)..]);
        line[^1] = (byte)'}';
        return line;
    }
}
