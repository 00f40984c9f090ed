using ModelContextProtocol.Client;
using Smcp.Proxy.Tests.Clients;
using Smcp.Sandbox;

namespace Smcp.Proxy.Tests.Concurrency;

/// <summary>Many sessions at once, each with interleaved requests: every answer reaches the client that asked.</summary>
[TestFixture(SandboxRuntimes.Runc, 64)]
[TestFixture(SandboxRuntimes.Gvisor, 16)]
public sealed class ConcurrentSessionTests(string runtime, int sessions)
{
    private const int RequestsPerSession = 8;

    [Test]
    public async Task Every_answer_reaches_the_session_and_request_that_asked()
    {
        var server = runtime == SandboxRuntimes.Gvisor ? "every-gvisor" : "every";
        var clients = await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ =>
            SdkClientTests.ConnectAsync(server, HttpTransportMode.StreamableHttp, "load", Support.TestCredentials.Admin)));
        try
        {
            var calls = clients.SelectMany((client, s) => Enumerable.Range(0, RequestsPerSession).Select(async r =>
            {
                var expected = $"session {s} request {r}";
                var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = expected });
                return (Expected: "Echo: " + expected, Actual: SdkClientTests.Text(result));
            }));
            var answers = await Task.WhenAll(calls);

            Assert.That(answers.Count(a => a.Actual == a.Expected), Is.EqualTo(sessions * RequestsPerSession),
                string.Join("\n", answers.Where(a => a.Actual != a.Expected).Take(5)));
            Assert.That(clients.Select(c => c.SessionId).Distinct().Count(), Is.EqualTo(sessions));
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
