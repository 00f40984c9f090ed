using System.Globalization;

namespace Smcp.Proxy.Tests.TypeScript;

/// <summary>
/// The official TypeScript SDK client (<c>@modelcontextprotocol/sdk</c>, pinned in package.json here), both of its HTTP
/// transports, against server-everything in a runc sandbox, and Streamable HTTP under gVisor too.
/// Each test is one run of client.mjs (one session); each of its checks is asserted on its own.
/// </summary>
[TestFixture("every", "mcp")]
[TestFixture("every", "sse")]
[TestFixture("every-gvisor", "mcp")]
public sealed class TypeScriptSdkTests(string server, string transport)
{
    private string Url => string.Create(CultureInfo.InvariantCulture, $"{TestHost.BaseUri.GetLeftPart(UriPartial.Authority)}/t/acme/{server}/{transport}");

    [Test]
    public Task Lists_and_calls_tools() => TypeScriptSdk.AssertCaseAsync(Url, "tools",
        "tools/list has echo, the long-running, sampling and elicitation tools",
        "tools/call echo answers");

    [Test]
    public Task Lists_and_gets_prompts() => TypeScriptSdk.AssertCaseAsync(Url, "prompts",
        "prompts/list has simple-prompt and args-prompt",
        "prompts/get fills in the arguments");

    [Test]
    public Task Lists_and_reads_resources() => TypeScriptSdk.AssertCaseAsync(Url, "resources",
        "resources/list has the static documents",
        "resources/read returns the document",
        "resources/templates/list has the dynamic text template",
        "resources/read of a templated resource");

    [Test]
    public Task Subscribed_resource_updates_arrive_until_unsubscribed() => TypeScriptSdk.AssertCaseAsync(Url, "subscriptions",
        "resources/subscribe is answered",
        "the server starts its simulated updates",
        "notifications/resources/updated arrives for the subscribed resource",
        "a later update, outside any request, arrives too",
        "every update names the subscribed resource",
        "no update arrives after resources/unsubscribe");

    [Test]
    public Task Sampling_request_from_the_server_is_answered_by_the_client() => TypeScriptSdk.AssertCaseAsync(Url, "sampling",
        "sampling/createMessage from the server is answered by the client");

    [Test]
    public Task Elicitation_request_from_the_server_is_answered_by_the_client() => TypeScriptSdk.AssertCaseAsync(Url, "elicitation",
        "elicitation/create from the server is answered by the client");

    [Test]
    public Task Progress_notifications_reach_the_caller() => TypeScriptSdk.AssertCaseAsync(Url, "progress",
        "every progress notification reaches onprogress, in order",
        "progress notifications carry the total",
        "the result follows the progress");

    [Test]
    public Task Aborted_call_is_cancelled_and_the_session_goes_on() => TypeScriptSdk.AssertCaseAsync(Url, "cancellation",
        "the aborted call rejects at once",
        "notifications/cancelled is POSTed and accepted with 202",
        "the session goes on after the cancellation");
}
