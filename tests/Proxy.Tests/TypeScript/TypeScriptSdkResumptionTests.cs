using System.Globalization;

namespace Smcp.Proxy.Tests.TypeScript;

/// <summary>
/// The TypeScript SDK's Streamable HTTP transport resumes a cut response stream with GET and Last-Event-ID:
/// the test's fetch drops the connection right after the second of eight progress events.
/// </summary>
public sealed class TypeScriptSdkResumptionTests
{
    private static string Url => string.Create(CultureInfo.InvariantCulture, $"{TestHost.BaseUri.GetLeftPart(UriPartial.Authority)}/t/acme/every/mcp");

    private static readonly string[] Delivery =
    [
        "the connection was cut after the second progress event",
        "the stream was resumed by GET with the Last-Event-ID of the last event received",
        "every progress event arrived exactly once, in order",
        "the result arrived after the resumption",
        "the resumed stream carried the result exactly once",
    ];

    [Test]
    public Task Sdk_resumes_a_cut_stream_by_itself_without_loss_or_duplicates() =>
        TypeScriptSdk.AssertCaseAsync(Url, "resumption-auto", Delivery);

    [Test]
    public Task Caller_resumes_a_cut_stream_with_its_resumption_token_without_loss_or_duplicates() =>
        TypeScriptSdk.AssertCaseAsync(Url, "resumption-token",
        [
            "only the events before the cut arrived while cut off",
            "onresumptiontoken reported the id of the last event received",
            .. Delivery,
        ]);
}
